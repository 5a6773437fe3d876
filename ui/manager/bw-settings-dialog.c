/* bw-settings-dialog.c: the settings of one machine. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-settings-dialog.h"

#include <glib/gi18n.h>

#include "app/main/bw-os-types.h"
#include "devices/storage/bw-disk.h"
#include "ui/manager/bw-a11y.h"
#include "ui/manager/bw-error-text.h"
#include "ui/manager/bw-machine-details.h"
#include "ui/manager/bw-new-machine-wizard.h"
#include "ui/manager/bw-settings-changes.h"

#define GIB (G_GUINT64_CONSTANT (1) << 30)

typedef struct
{
  GtkCheckButton *enable;
  GtkDropDown *mode;
  GtkEntry *path;
  GtkLabel *hint;
} SerialWidgets;

struct _BwSettingsDialog
{
  GtkWindow parent_instance;

  GtkWidget *ok_button;
  GtkLabel *locked_label;
  GtkLabel *problem_label;
  GtkStack *stack;
  GtkEntry *name_entry;
  GtkDropDown *os_dropdown;
  GtkTextView *description_view;
  GtkSpinButton *memory_spin;
  GtkLabel *memory_hint;
  GtkSpinButton *cpus_spin;
  GtkLabel *cpus_hint;
  GtkDropDown *boot_dropdowns[BW_BOOT_ORDER_SLOTS];
  GtkDropDown *accel_dropdown;
  GtkDropDown *firmware_dropdown;
  GtkSpinButton *vram_spin;
  GtkDropDown *scale_mode_dropdown;
  GtkSpinButton *scale_percent_spin;
  GtkLabel *scale_hint;
  GtkListBox *storage_list;
  GtkWidget *storage_buttons;
  GtkSpinButton *new_disk_size;
  GtkPopover *new_disk_popover;
  SerialWidgets serial[BW_SERIAL_PORT_COUNT];

  BwClient *client;
  BwMachineItem *item;
  BwMachineSettings *original;
  BwMachineSettings *edited; /* storage edits go here directly */
  char *settings_path;
  GStrv taken_names;
  gboolean locked;
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (BwSettingsDialog, bw_settings_dialog, GTK_TYPE_WINDOW)

static const BwOsType *
os_at (guint i)
{
  const GPtrArray *all = bw_os_types_get_all ();
  return i < all->len ? g_ptr_array_index (all, i) : bw_os_types_get_default ();
}

static guint
os_index (const char *id)
{
  const GPtrArray *all = bw_os_types_get_all ();
  const BwOsType *t = bw_os_types_lookup (id);
  for (guint i = 0; i < all->len; i++)
    if (g_ptr_array_index (all, i) == t)
      return i;
  return 0;
}

static char *
entry_text (GtkEntry *entry)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}

/* ---- Storage page ---------------------------------------------------- */

static BwStorageController *
ide_controller (BwSettingsDialog *self)
{
  GPtrArray *ctls = self->edited->hardware->storage_controllers;
  for (guint i = 0; i < ctls->len; i++)
    {
      BwStorageController *c = g_ptr_array_index (ctls, i);
      if (c->bus == BW_STORAGE_BUS_IDE)
        return c;
    }
  BwStorageController *c = bw_storage_controller_new ("IDE", BW_STORAGE_BUS_IDE);
  g_ptr_array_add (ctls, c);
  return c;
}

static void rebuild_storage (BwSettingsDialog *self);
static void validate (BwSettingsDialog *self);

static void
on_detach_clicked (GtkButton *button, BwSettingsDialog *self)
{
  BwStorageAttachment *att = g_object_get_data (G_OBJECT (button), "bw-attachment");
  GPtrArray *ctls = self->edited->hardware->storage_controllers;
  for (guint i = 0; i < ctls->len; i++)
    g_ptr_array_remove (((BwStorageController *)g_ptr_array_index (ctls, i))->attachments, att);
  rebuild_storage (self);
  validate (self);
}

static void
rebuild_storage (BwSettingsDialog *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->storage_list))) != NULL)
    gtk_list_box_remove (self->storage_list, child);

  GPtrArray *ctls = self->edited->hardware->storage_controllers;
  guint shown = 0;
  for (guint i = 0; i < ctls->len; i++)
    {
      BwStorageController *c = g_ptr_array_index (ctls, i);
      for (guint a = 0; a < c->attachments->len; a++)
        {
          BwStorageAttachment *att = g_ptr_array_index (c->attachments, a);
          g_autofree char *slot = bw_storage_slot_label (c->name, att->port, att->device);
          const char *kind
              = att->type == BW_DEVICE_TYPE_HDD ? _ ("Hard disk") : _ ("Optical drive");
          const char *medium = att->medium ? att->medium : _ ("empty");
          gboolean missing
              = att->medium != NULL && !g_file_test (att->medium, G_FILE_TEST_IS_REGULAR);
          g_autofree char *text = g_strdup_printf (
              missing ? _ ("%s — %s: %s (file not found)") : _ ("%s — %s: %s"), slot, kind, medium);
          GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
          gtk_widget_set_margin_start (box, 8);
          gtk_widget_set_margin_end (box, 8);
          gtk_widget_set_margin_top (box, 6);
          gtk_widget_set_margin_bottom (box, 6);
          GtkWidget *label = gtk_label_new (text);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
          gtk_widget_set_hexpand (label, TRUE);
          if (missing)
            gtk_widget_add_css_class (label, "error");
          GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
          gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
          g_autofree char *remove_label = g_strdup_printf (_ ("Detach %s"), slot);
          gtk_widget_set_tooltip_text (remove, remove_label);
          gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          remove_label, -1);
          g_object_set_data (G_OBJECT (remove), "bw-attachment", att);
          g_signal_connect (remove, "clicked", G_CALLBACK (on_detach_clicked), self);
          gtk_box_append (GTK_BOX (box), label);
          gtk_box_append (GTK_BOX (box), remove);
          gtk_list_box_append (self->storage_list, box);
          shown++;
        }
    }
  if (shown == 0)
    {
      GtkWidget *label = gtk_label_new (_ ("Nothing attached."));
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_bottom (label, 12);
      gtk_list_box_append (self->storage_list, label);
    }
}

/* The first free IDE slot in the usual order for the kind: disks on the
 * primary channel, optical drives on the secondary. */
static gboolean
free_slot (BwStorageController *c, BwDeviceType type, guint *port, guint *device)
{
  static const guint disk_order[][2] = { { 0, 0 }, { 0, 1 }, { 1, 1 }, { 1, 0 } };
  static const guint dvd_order[][2] = { { 1, 0 }, { 1, 1 }, { 0, 1 }, { 0, 0 } };
  const guint (*order)[2] = type == BW_DEVICE_TYPE_HDD ? disk_order : dvd_order;
  for (guint i = 0; i < 4; i++)
    if (bw_storage_controller_find (c, order[i][0], order[i][1]) == NULL)
      {
        *port = order[i][0];
        *device = order[i][1];
        return TRUE;
      }
  return FALSE;
}

static void
show_problem (BwSettingsDialog *self, const char *text)
{
  gtk_label_set_text (self->problem_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), text != NULL);
}

static void
attach (BwSettingsDialog *self, BwDeviceType type, const char *path)
{
  BwStorageController *c = ide_controller (self);
  guint port, device;
  if (!free_slot (c, type, &port, &device))
    {
      show_problem (self, _ ("All four IDE slots are in use. Detach something first."));
      return;
    }
  g_ptr_array_add (c->attachments, bw_storage_attachment_new (port, device, type, path));
  rebuild_storage (self);
  validate (self);
}

static void
on_image_chosen (GtkNativeDialog *chooser, int response, BwSettingsDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      BwDeviceType type = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "bw-type"));
      if (path != NULL)
        attach (self, type, path);
    }
  g_object_unref (chooser);
}

static void
choose_image (BwSettingsDialog *self, BwDeviceType type)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
      type == BW_DEVICE_TYPE_HDD ? _ ("Hard Disk Image") : _ ("Optical Disc Image"),
      GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN, NULL, NULL);
  g_object_set_data (G_OBJECT (chooser), "bw-type", GINT_TO_POINTER (type));
  g_signal_connect (chooser, "response", G_CALLBACK (on_image_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_add_disk_clicked (BwSettingsDialog *self)
{
  choose_image (self, BW_DEVICE_TYPE_HDD);
}

static void
on_add_dvd_clicked (BwSettingsDialog *self)
{
  choose_image (self, BW_DEVICE_TYPE_DVD);
}

/* A new dynamic VDI next to the settings file: NAME-disk2.vdi, ... */
static void
on_new_disk_clicked (BwSettingsDialog *self)
{
  gtk_popover_popdown (self->new_disk_popover);
  g_autofree char *dir = g_path_get_dirname (self->settings_path);
  g_autofree char *path = NULL;
  for (guint n = 2; path == NULL || g_file_test (path, G_FILE_TEST_EXISTS); n++)
    {
      g_free (path);
      g_autofree char *file = g_strdup_printf ("%s-disk%u.vdi", self->original->name, n);
      path = g_build_filename (dir, file, NULL);
    }
  gtk_spin_button_update (self->new_disk_size);
  guint64 size = (guint64)gtk_spin_button_get_value_as_int (self->new_disk_size) * GIB;
  g_autoptr (GError) error = NULL;
  BwDisk *disk = bw_disk_create (path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC, size, &error);
  if (disk == NULL)
    {
      g_autofree char *text
          = g_strdup_printf (_ ("Could not create the disk image: %s."), error->message);
      show_problem (self, text);
      return;
    }
  bw_disk_unref (disk);
  attach (self, BW_DEVICE_TYPE_HDD, path);
}

/* ---- Widgets <-> settings --------------------------------------------- */

static void
load (BwSettingsDialog *self)
{
  const BwMachineSettings *s = self->original;
  const BwHardware *hw = s->hardware;
  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), s->name);
  gtk_drop_down_set_selected (self->os_dropdown, os_index (hw->os_type));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->description_view),
                            s->description ? s->description : "", -1);
  gtk_spin_button_set_value (self->memory_spin, hw->memory_mib);
  gtk_spin_button_set_value (self->cpus_spin, hw->cpu_count);
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS; i++)
    gtk_drop_down_set_selected (self->boot_dropdowns[i], hw->boot_order[i]);
  gtk_drop_down_set_selected (self->accel_dropdown, hw->acceleration);
  gtk_drop_down_set_selected (self->firmware_dropdown, hw->firmware);
  gtk_spin_button_set_value (self->vram_spin, hw->vram_mib);
  gtk_drop_down_set_selected (self->scale_mode_dropdown, bw_hardware_get_scale_mode (hw));
  gtk_spin_button_set_value (self->scale_percent_spin, bw_hardware_get_scale_percent (hw));
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      const BwSerialPort *p = &hw->serial_ports[i];
      guint mode = p->mode == BW_SERIAL_MODE_FILE          ? 1
                   : p->mode == BW_SERIAL_MODE_UNIX_SOCKET ? (p->server ? 2 : 3)
                                                           : 0;
      gtk_check_button_set_active (self->serial[i].enable, p->enabled);
      gtk_drop_down_set_selected (self->serial[i].mode, mode);
      gtk_editable_set_text (GTK_EDITABLE (self->serial[i].path), p->path ? p->path : "");
      g_autofree char *hint = g_strdup_printf (_ ("I/O base 0x%x, IRQ %u"), p->io_base, p->irq);
      gtk_label_set_text (self->serial[i].hint, hint);
    }
  self->loading = FALSE;
  rebuild_storage (self);
}

/* Widgets -> self->edited (storage is edited in place already). */
static void
collect (BwSettingsDialog *self)
{
  BwMachineSettings *s = self->edited;
  BwHardware *hw = s->hardware;
  g_free (s->name);
  s->name = entry_text (self->name_entry);
  g_free (hw->os_type);
  hw->os_type = g_strdup (os_at (gtk_drop_down_get_selected (self->os_dropdown))->id);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->description_view);
  GtkTextIter start, end;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  g_free (s->description);
  s->description = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (*s->description == '\0')
    g_clear_pointer (&s->description, g_free);
  gtk_spin_button_update (self->memory_spin);
  gtk_spin_button_update (self->cpus_spin);
  gtk_spin_button_update (self->vram_spin);
  hw->memory_mib = gtk_spin_button_get_value_as_int (self->memory_spin);
  hw->cpu_count = gtk_spin_button_get_value_as_int (self->cpus_spin);
  hw->vram_mib = gtk_spin_button_get_value_as_int (self->vram_spin);
  gtk_spin_button_update (self->scale_percent_spin);
  hw->scale_mode = gtk_drop_down_get_selected (self->scale_mode_dropdown) == 1
                       ? BW_SCALE_MODE_FIXED
                       : BW_SCALE_MODE_WINDOW;
  hw->scale_percent = gtk_spin_button_get_value_as_int (self->scale_percent_spin);
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS; i++)
    hw->boot_order[i] = gtk_drop_down_get_selected (self->boot_dropdowns[i]);
  hw->acceleration = gtk_drop_down_get_selected (self->accel_dropdown);
  hw->firmware = gtk_drop_down_get_selected (self->firmware_dropdown);
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      BwSerialPort *p = &hw->serial_ports[i];
      guint mode = gtk_drop_down_get_selected (self->serial[i].mode);
      g_autofree char *path = entry_text (self->serial[i].path);
      p->enabled = gtk_check_button_get_active (self->serial[i].enable);
      p->mode = mode == 1   ? BW_SERIAL_MODE_FILE
                : mode >= 2 ? BW_SERIAL_MODE_UNIX_SOCKET
                            : BW_SERIAL_MODE_DISCONNECTED;
      p->server = mode == 2;
      g_free (p->path);
      p->path = mode == 0 || *path == '\0' ? NULL : g_steal_pointer (&path);
    }
}

static char *
check_serial (BwSettingsDialog *self, guint i)
{
  const BwSerialPort *p = &self->edited->hardware->serial_ports[i];
  guint mode = gtk_drop_down_get_selected (self->serial[i].mode);
  if (!p->enabled || mode == 0)
    return NULL;
  if (p->path == NULL || !g_path_is_absolute (p->path))
    return g_strdup_printf (_ ("Serial port %u needs a full path, starting with “/”."), i + 1);
  g_autofree char *dir = g_path_get_dirname (p->path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_strdup_printf (_ ("Serial port %u: the folder “%s” does not exist."), i + 1, dir);
  return NULL;
}

/* The first problem, with the page it is on; NULL when all is well. */
static char *
check (BwSettingsDialog *self, const char **page)
{
  const BwMachineSettings *s = self->edited;
  const BwHardware *hw = s->hardware;
  char *problem = bw_new_machine_check_name (s->name, (const char *const *)self->taken_names);
  if (problem != NULL)
    {
      *page = "general";
      return problem;
    }
  *page = "system";
  guint host_mib = bw_host_memory_mib ();
  if (hw->memory_mib > host_mib)
    return g_strdup_printf (_ ("%u MiB of memory is more than the host has (%u MiB)."),
                            hw->memory_mib, host_mib);
  if (hw->cpu_count > bw_host_cpu_count ())
    return g_strdup_printf (_ ("%u processors are more than the host has (%u)."), hw->cpu_count,
                            bw_host_cpu_count ());
  *page = "storage";
  for (guint c = 0; c < hw->storage_controllers->len; c++)
    {
      BwStorageController *ctl = g_ptr_array_index (hw->storage_controllers, c);
      for (guint a = 0; a < ctl->attachments->len; a++)
        {
          BwStorageAttachment *att = g_ptr_array_index (ctl->attachments, a);
          if (att->medium != NULL && !g_file_test (att->medium, G_FILE_TEST_IS_REGULAR))
            return g_strdup_printf (_ ("The image “%s” does not exist. Detach it or restore the "
                                       "file."),
                                    att->medium);
        }
    }
  *page = "serial";
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    if ((problem = check_serial (self, i)) != NULL)
      return problem;
  return NULL;
}

static void
validate (BwSettingsDialog *self)
{
  if (self->loading)
    return;
  collect (self);
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      gboolean on = gtk_check_button_get_active (self->serial[i].enable);
      gtk_widget_set_sensitive (GTK_WIDGET (self->serial[i].mode), on);
      gtk_widget_set_sensitive (GTK_WIDGET (self->serial[i].path),
                                on && gtk_drop_down_get_selected (self->serial[i].mode) != 0);
    }
  gboolean fixed = self->edited->hardware->scale_mode == BW_SCALE_MODE_FIXED;
  gtk_widget_set_sensitive (GTK_WIDGET (self->scale_percent_spin), fixed);
  gtk_label_set_text (self->scale_hint,
                      fixed ? _ ("The guest screen keeps this size; the window scrolls what does "
                                 "not fit. At 100 percent one guest pixel is one screen pixel.")
                            : _ ("The guest screen fills the window, keeping its aspect ratio."));
  const char *page = NULL;
  g_autofree char *problem = self->locked ? NULL : check (self, &page);
  show_problem (self, problem);
  gtk_widget_set_sensitive (self->ok_button, problem == NULL && !self->locked);
}

static void
on_changed (BwSettingsDialog *self)
{
  validate (self);
}

static void
on_ok_clicked (BwSettingsDialog *self)
{
  validate (self);
  const char *page = NULL;
  g_autofree char *problem = check (self, &page);
  if (problem != NULL || self->locked)
    {
      if (page != NULL)
        gtk_stack_set_visible_child_name (self->stack, page);
      return;
    }
  g_auto (GStrv) changes = bw_settings_changes_compute (self->original, self->edited);
  g_autoptr (GError) error = NULL;
  if (changes[0] != NULL
      && !bw_client_modify_machine (self->client, bw_machine_item_get_uuid (self->item),
                                    (const char *const *)changes, &error))
    {
      g_autofree char *doing = g_strdup_printf (_ ("Could not change “%s”"), self->original->name);
      g_autofree char *text = bw_error_text (doing, error);
      show_problem (self, text);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
set_locked (BwSettingsDialog *self, gboolean locked)
{
  self->locked = locked;
  gtk_widget_set_visible (GTK_WIDGET (self->locked_label), locked);
  if (locked)
    {
      g_autofree char *text
          = g_strdup_printf (_ ("“%s” is %s. Its settings are locked until it is powered off."),
                             self->original->name, bw_machine_item_get_state_label (self->item));
      gtk_label_set_text (self->locked_label, text);
    }
  /* Every page: the service refuses any change while a VM process holds
   * the machine. */
  for (GtkWidget *page = gtk_widget_get_first_child (GTK_WIDGET (self->stack)); page;
       page = gtk_widget_get_next_sibling (page))
    gtk_widget_set_sensitive (page, !locked);
  validate (self);
}

static void
on_state_changed (BwSettingsDialog *self)
{
  set_locked (self, bw_machine_item_is_live (self->item));
}

BwSettingsDialog *
bw_settings_dialog_new (GtkWindow *parent, BwClient *client, BwMachineItem *item, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *xml = bw_client_get_machine_settings (client, bw_machine_item_get_uuid (item),
                                                         NULL, &path, error);
  if (xml == NULL)
    return NULL;
  BwMachineSettings *s = bw_machine_settings_load_from_data (xml, strlen (xml), path, error);
  if (s == NULL)
    return NULL;

  BwSettingsDialog *self = g_object_new (BW_TYPE_SETTINGS_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->item = g_object_ref (item);
  self->original = s;
  self->edited = bw_machine_settings_copy (s);
  self->settings_path = g_steal_pointer (&path);

  g_autoptr (GPtrArray) machines = bw_client_list_machines (client, NULL);
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  for (guint i = 0; machines && i < machines->len; i++)
    {
      BwClientMachine *m = g_ptr_array_index (machines, i);
      if (g_strcmp0 (m->uuid, s->uuid) != 0)
        g_strv_builder_add (names, m->name);
    }
  self->taken_names = g_strv_builder_end (names);

  g_autofree char *title = g_strdup_printf (_ ("%s — Settings"), s->name);
  gtk_window_set_title (GTK_WINDOW (self), title);
  load (self);
  g_signal_connect_object (item, "notify::state", G_CALLBACK (on_state_changed), self,
                           G_CONNECT_SWAPPED);
  set_locked (self, bw_machine_item_is_live (item));
  return self;
}

static void
bw_settings_dialog_dispose (GObject *object)
{
  BwSettingsDialog *self = BW_SETTINGS_DIALOG (object);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_SETTINGS_DIALOG);
  g_clear_object (&self->client);
  g_clear_object (&self->item);
  g_clear_pointer (&self->original, bw_machine_settings_free);
  g_clear_pointer (&self->edited, bw_machine_settings_free);
  g_clear_pointer (&self->settings_path, g_free);
  g_clear_pointer (&self->taken_names, g_strfreev);
  G_OBJECT_CLASS (bw_settings_dialog_parent_class)->dispose (object);
}

static void
bw_settings_dialog_class_init (BwSettingsDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = bw_settings_dialog_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/Boxwood/ui/bw-settings-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, BwSettingsDialog, name)
#define CHILD_AT(field, name)                                                                      \
  gtk_widget_class_bind_template_child_full (widget_class, name, FALSE,                            \
                                             G_STRUCT_OFFSET (BwSettingsDialog, field))
  CHILD (ok_button);
  CHILD (locked_label);
  CHILD (problem_label);
  CHILD (stack);
  CHILD (name_entry);
  CHILD (os_dropdown);
  CHILD (description_view);
  CHILD (memory_spin);
  CHILD (memory_hint);
  CHILD (cpus_spin);
  CHILD (cpus_hint);
  CHILD_AT (boot_dropdowns[0], "boot1_dropdown");
  CHILD_AT (boot_dropdowns[1], "boot2_dropdown");
  CHILD_AT (boot_dropdowns[2], "boot3_dropdown");
  CHILD_AT (boot_dropdowns[3], "boot4_dropdown");
  CHILD (accel_dropdown);
  CHILD (firmware_dropdown);
  CHILD (vram_spin);
  CHILD (scale_mode_dropdown);
  CHILD (scale_percent_spin);
  CHILD (scale_hint);
  CHILD (storage_list);
  CHILD (storage_buttons);
  CHILD (new_disk_size);
  CHILD (new_disk_popover);
#define SERIAL(n)                                                                                  \
  CHILD_AT (serial[n - 1].enable, "serial" #n "_enable");                                          \
  CHILD_AT (serial[n - 1].mode, "serial" #n "_mode");                                              \
  CHILD_AT (serial[n - 1].path, "serial" #n "_path");                                              \
  CHILD_AT (serial[n - 1].hint, "serial" #n "_hint")
  SERIAL (1);
  SERIAL (2);
  SERIAL (3);
  SERIAL (4);
#undef SERIAL
#undef CHILD_AT
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_ok_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_disk_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_dvd_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_new_disk_clicked);
  gtk_widget_class_bind_template_callback (widget_class, gtk_window_destroy);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bw_settings_dialog_init (BwSettingsDialog *self)
{
  self->loading = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  g_autoptr (GtkStringList) os_names = gtk_string_list_new (NULL);
  const GPtrArray *all = bw_os_types_get_all ();
  for (guint i = 0; i < all->len; i++)
    gtk_string_list_append (os_names, ((const BwOsType *)g_ptr_array_index (all, i))->description);
  gtk_drop_down_set_model (self->os_dropdown, G_LIST_MODEL (os_names));

  guint host_mib = bw_host_memory_mib ();
  guint host_cpus = bw_host_cpu_count ();
  g_autofree char *mem_hint = g_strdup_printf (_ ("The host has %u MiB of memory."), host_mib);
  g_autofree char *cpu_hint = g_strdup_printf (_ ("The host has %u processors."), host_cpus);
  gtk_label_set_text (self->memory_hint, mem_hint);
  gtk_label_set_text (self->cpus_hint, cpu_hint);
  /* The spin buttons allow what the file format allows; more than the
   * host has is flagged, not silently clamped. */
  gtk_spin_button_set_range (self->memory_spin, BW_MEMORY_MIN_MIB, BW_MEMORY_MAX_MIB);
  gtk_spin_button_set_range (self->cpus_spin, 1, BW_CPU_COUNT_MAX);
  gtk_spin_button_set_range (self->vram_spin, BW_VRAM_MIN_MIB, BW_VRAM_MAX_MIB);
  gtk_spin_button_set_range (self->scale_percent_spin, BW_SCALE_PERCENT_MIN, BW_SCALE_PERCENT_MAX);
  bw_a11y_name_drop_down_buttons (GTK_WIDGET (self));
  self->loading = FALSE;
}
