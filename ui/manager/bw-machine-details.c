/* bw-machine-details.c: a live preview while it runs, then General,
 * System, Display, Storage, Serial Ports and Description of the selected
 * machine. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-machine-details.h"

#include <glib/gi18n.h>

#include "app/main/bw-os-types.h"
#include "ui/manager/bw-machine-preview.h"

struct _BwMachineDetails
{
  GtkBox parent_instance;
  GtkWidget *placeholder;
  GtkWidget *content;
  GtkLabel *title;
  GtkLabel *problem;
  BwMachinePreview *preview;
  GtkGrid *general_grid;
  GtkGrid *system_grid;
  GtkGrid *display_grid;
  GtkGrid *storage_grid;
  GtkGrid *serial_grid;
  GtkGrid *description_grid;
  GtkSizeGroup *keys; /* one column of keys across all sections */
  BwMachineItem *item;
  gulong notify_id;
};

G_DEFINE_FINAL_TYPE (BwMachineDetails, bw_machine_details, GTK_TYPE_BOX)

char *
bw_format_memory (guint mib)
{
  if (mib >= 1024 && mib % 1024 == 0)
    return g_strdup_printf (_ ("%u GiB"), mib / 1024);
  return g_strdup_printf (_ ("%u MiB"), mib);
}

const char *
bw_boot_device_label (BwBootDevice device)
{
  switch (device)
    {
      case BW_BOOT_DEVICE_FLOPPY:
        return _ ("Floppy");
      case BW_BOOT_DEVICE_DVD:
        return _ ("Optical Disc");
      case BW_BOOT_DEVICE_DISK:
        return _ ("Hard Disk");
      case BW_BOOT_DEVICE_NET:
        return _ ("Network");
      case BW_BOOT_DEVICE_NONE:
      default:
        return _ ("None");
    }
}

const char *
bw_acceleration_label (BwAcceleration acceleration)
{
  switch (acceleration)
    {
      case BW_ACCELERATION_KVM:
        return _ ("KVM");
      case BW_ACCELERATION_SOFTWARE:
        return _ ("Software CPU");
      case BW_ACCELERATION_AUTO:
      default:
        return _ ("Automatic");
    }
}

const char *
bw_firmware_label (BwFirmware firmware)
{
  return firmware == BW_FIRMWARE_EFI ? _ ("EFI") : _ ("BIOS");
}

char *
bw_scaling_label (BwScaleMode mode, guint percent)
{
  if (mode == BW_SCALE_MODE_WINDOW)
    return g_strdup (_ ("Scaled to the window"));
  if (percent == 100)
    return g_strdup (_ ("1:1 (100 %)"));
  /* Translators: a fixed scale factor of the guest screen, "150 %" */
  return g_strdup_printf (_ ("Fixed at %u %%"), percent);
}

char *
bw_storage_slot_label (const char *controller, guint port, guint device)
{
  /* Translators: "IDE primary master", "IDE secondary slave" */
  return g_strdup_printf (_ ("%s %s %s"), controller, port == 0 ? _ ("primary") : _ ("secondary"),
                          device == 0 ? _ ("master") : _ ("slave"));
}

static void
clear_grid (BwMachineDetails *self, GtkGrid *grid)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    {
      int column = -1;
      gtk_grid_query_child (grid, child, &column, NULL, NULL, NULL);
      if (column == 0)
        gtk_size_group_remove_widget (self->keys, child);
      gtk_grid_remove (grid, child);
    }
}

static void
add_row (BwMachineDetails *self, GtkGrid *grid, const char *key, const char *value)
{
  int row = 0;
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (grid)); c;
       c = gtk_widget_get_next_sibling (c))
    row++;
  row /= 2;
  GtkWidget *k = gtk_label_new (key);
  gtk_label_set_xalign (GTK_LABEL (k), 0);
  gtk_label_set_yalign (GTK_LABEL (k), 0);
  gtk_widget_add_css_class (k, "dim-label");
  gtk_size_group_add_widget (self->keys, k);
  GtkWidget *v = gtk_label_new (value);
  gtk_label_set_xalign (GTK_LABEL (v), 0);
  gtk_label_set_wrap (GTK_LABEL (v), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (v), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (v), TRUE);
  gtk_widget_set_hexpand (v, TRUE);
  gtk_grid_attach (grid, k, 0, row, 1, 1);
  gtk_grid_attach (grid, v, 1, row, 1, 1);
}

static void
fill_storage (BwMachineDetails *self, const BwHardware *hw)
{
  gboolean any = FALSE;
  for (guint i = 0; i < hw->storage_controllers->len; i++)
    {
      BwStorageController *c = g_ptr_array_index (hw->storage_controllers, i);
      for (guint a = 0; a < c->attachments->len; a++)
        {
          BwStorageAttachment *att = g_ptr_array_index (c->attachments, a);
          g_autofree char *slot = bw_storage_slot_label (c->name, att->port, att->device);
          g_autofree char *what = NULL;
          if (att->type == BW_DEVICE_TYPE_HDD)
            what = g_strdup_printf (_ ("Hard disk: %s"), att->medium ? att->medium : "");
          else if (att->medium != NULL)
            what = g_strdup_printf (_ ("Optical drive: %s"), att->medium);
          else
            what = g_strdup (_ ("Optical drive: empty"));
          add_row (self, self->storage_grid, slot, what);
          any = TRUE;
        }
    }
  if (!any)
    add_row (self, self->storage_grid, _ ("Disks"), _ ("None attached"));
}

static void
fill_serial (BwMachineDetails *self, const BwHardware *hw)
{
  gboolean any = FALSE;
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      const BwSerialPort *p = &hw->serial_ports[i];
      if (!p->enabled)
        continue;
      g_autofree char *key = g_strdup_printf (_ ("Port %u"), p->slot);
      g_autofree char *value = NULL;
      switch (p->mode)
        {
          case BW_SERIAL_MODE_FILE:
            value
                = g_strdup_printf (_ ("I/O 0x%x, IRQ %u, to file %s"), p->io_base, p->irq, p->path);
            break;
          case BW_SERIAL_MODE_UNIX_SOCKET:
            value = g_strdup_printf (p->server ? _ ("I/O 0x%x, IRQ %u, serving socket %s")
                                               : _ ("I/O 0x%x, IRQ %u, connecting to socket %s"),
                                     p->io_base, p->irq, p->path);
            break;
          case BW_SERIAL_MODE_DISCONNECTED:
          default:
            value = g_strdup_printf (_ ("I/O 0x%x, IRQ %u, disconnected"), p->io_base, p->irq);
        }
      add_row (self, self->serial_grid, key, value);
      any = TRUE;
    }
  if (!any)
    add_row (self, self->serial_grid, _ ("Ports"), _ ("Disabled"));
}

static void
refresh (BwMachineDetails *self)
{
  /* Fetching the settings may notify (name, icon) and so re-enter; do it
   * before the grids are cleared and filled. */
  g_autoptr (GError) error = NULL;
  const BwMachineSettings *s
      = self->item ? bw_machine_item_get_settings (self->item, &error) : NULL;

  GtkGrid *grids[] = { self->general_grid, self->system_grid, self->display_grid,
                       self->storage_grid, self->serial_grid, self->description_grid };
  for (gsize i = 0; i < G_N_ELEMENTS (grids); i++)
    clear_grid (self, grids[i]);

  gtk_widget_set_visible (self->placeholder, self->item == NULL);
  gtk_widget_set_visible (self->content, self->item != NULL);
  if (self->item == NULL)
    return;

  gtk_label_set_text (self->title, bw_machine_item_get_name (self->item));
  gtk_widget_set_visible (GTK_WIDGET (self->problem), s == NULL);
  if (s == NULL)
    {
      g_autofree char *text = g_strdup_printf (
          _ ("This machine cannot be read: %s. Repair its settings file or remove it from the "
             "list."),
          error->message);
      gtk_label_set_text (self->problem, text);
      return;
    }

  const BwHardware *hw = s->hardware;
  const BwOsType *os = bw_os_types_lookup (hw->os_type);
  add_row (self, self->general_grid, _ ("Name"), s->name);
  add_row (self, self->general_grid, _ ("Operating system"), os ? os->description : hw->os_type);
  add_row (self, self->general_grid, _ ("State"), bw_machine_item_get_state_label (self->item));
  add_row (self, self->general_grid, _ ("Settings file"),
           bw_machine_item_get_settings_path (self->item));

  g_autofree char *memory = bw_format_memory (hw->memory_mib);
  g_autofree char *cpus = g_strdup_printf ("%u", hw->cpu_count);
  g_autoptr (GString) boot = g_string_new (NULL);
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS; i++)
    if (hw->boot_order[i] != BW_BOOT_DEVICE_NONE)
      g_string_append_printf (boot, "%s%s", boot->len ? ", " : "",
                              bw_boot_device_label (hw->boot_order[i]));
  add_row (self, self->system_grid, _ ("Memory"), memory);
  add_row (self, self->system_grid, _ ("Processors"), cpus);
  add_row (self, self->system_grid, _ ("Boot order"), boot->len ? boot->str : _ ("None"));
  add_row (self, self->system_grid, _ ("Acceleration"), bw_acceleration_label (hw->acceleration));
  add_row (self, self->system_grid, _ ("Firmware"), bw_firmware_label (hw->firmware));
  if (hw->kernel != NULL)
    add_row (self, self->system_grid, _ ("Direct boot kernel"), hw->kernel);

  g_autofree char *vram = bw_format_memory (hw->vram_mib);
  add_row (self, self->display_grid, _ ("Video memory"), vram);
  g_autofree char *scaling
      = bw_scaling_label (bw_hardware_get_scale_mode (hw), bw_hardware_get_scale_percent (hw));
  add_row (self, self->display_grid, _ ("Scaling"), scaling);

  fill_storage (self, hw);
  fill_serial (self, hw);
  add_row (self, self->description_grid, _ ("Notes"),
           s->description ? s->description : _ ("No description"));
}

static void
on_item_notify (BwMachineDetails *self)
{
  refresh (self);
}

void
bw_machine_details_set_item (BwMachineDetails *self, BwMachineItem *item)
{
  if (self->item == item)
    return;
  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_id, self->item);
  g_set_object (&self->item, item);
  bw_machine_preview_set_item (self->preview, item);
  if (item != NULL)
    self->notify_id = g_signal_connect_swapped (item, "notify", G_CALLBACK (on_item_notify), self);
  refresh (self);
}

static void
bw_machine_details_dispose (GObject *object)
{
  BwMachineDetails *self = BW_MACHINE_DETAILS (object);
  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_id, self->item);
  g_clear_object (&self->item);
  g_clear_object (&self->keys);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_MACHINE_DETAILS);
  G_OBJECT_CLASS (bw_machine_details_parent_class)->dispose (object);
}

static void
bw_machine_details_class_init (BwMachineDetailsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = bw_machine_details_dispose;
  g_type_ensure (BW_TYPE_MACHINE_PREVIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/Boxwood/ui/bw-machine-details.ui");
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, placeholder);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, content);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, title);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, problem);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, preview);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, general_grid);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, system_grid);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, display_grid);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, storage_grid);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, serial_grid);
  gtk_widget_class_bind_template_child (widget_class, BwMachineDetails, description_grid);
}

static void
bw_machine_details_init (BwMachineDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->keys = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Machine details"), -1);
}
