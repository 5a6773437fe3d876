/* bw-machine-row.c: a row of the machine list; the template binds the
 * item's icon-name, name and state-label. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-machine-row.h"

struct _BwMachineRow
{
  GtkBox parent_instance;
  BwMachineItem *item;
  gulong notify_id;
};

G_DEFINE_FINAL_TYPE (BwMachineRow, bw_machine_row, GTK_TYPE_BOX)

enum
{
  PROP_0,
  PROP_ITEM,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

GtkWidget *
bw_machine_row_new (void)
{
  return g_object_new (BW_TYPE_MACHINE_ROW, NULL);
}

BwMachineItem *
bw_machine_row_get_item (BwMachineRow *self)
{
  return self->item;
}

/* Screen readers hear "Debian, Running" for the row. */
static void
update_label (BwMachineRow *self)
{
  if (self->item == NULL)
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);
      return;
    }
  g_autofree char *label = g_strdup_printf ("%s, %s", bw_machine_item_get_name (self->item),
                                            bw_machine_item_get_state_label (self->item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

void
bw_machine_row_set_item (BwMachineRow *self, BwMachineItem *item)
{
  if (self->item == item)
    return;
  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_id, self->item);
  g_set_object (&self->item, item);
  if (item != NULL)
    self->notify_id = g_signal_connect_swapped (item, "notify", G_CALLBACK (update_label), self);
  update_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

static void
bw_machine_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BwMachineRow *self = BW_MACHINE_ROW (object);
  if (prop_id == PROP_ITEM)
    g_value_set_object (value, self->item);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
bw_machine_row_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BwMachineRow *self = BW_MACHINE_ROW (object);
  if (prop_id == PROP_ITEM)
    bw_machine_row_set_item (self, g_value_get_object (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
bw_machine_row_dispose (GObject *object)
{
  BwMachineRow *self = BW_MACHINE_ROW (object);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_MACHINE_ROW);
  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_id, self->item);
  g_clear_object (&self->item);
  G_OBJECT_CLASS (bw_machine_row_parent_class)->dispose (object);
}

static void
bw_machine_row_class_init (BwMachineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->get_property = bw_machine_row_get_property;
  object_class->set_property = bw_machine_row_set_property;
  object_class->dispose = bw_machine_row_dispose;
  properties[PROP_ITEM]
      = g_param_spec_object ("item", NULL, NULL, BW_TYPE_MACHINE_ITEM,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_type_ensure (BW_TYPE_MACHINE_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/Boxwood/ui/bw-machine-row.ui");
}

static void
bw_machine_row_init (BwMachineRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
