/* bw-new-machine-wizard.c: the New Machine wizard. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-new-machine-wizard.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "app/main/bw-os-types.h"
#include "devices/storage/bw-disk.h"
#include "ui/manager/bw-a11y.h"
#include "ui/manager/bw-iso-label.h"
#include "ui/manager/bw-machine-details.h"
#include "ui/manager/bw-settings-changes.h"

#define GIB (G_GUINT64_CONSTANT (1) << 30)

struct _BwNewMachineWizard
{
  GtkWindow parent_instance;

  GtkStack *stack;
  GtkWidget *back_button;
  GtkWidget *next_button;
  GtkWidget *create_button;
  GtkLabel *problem_label;
  GtkEntry *name_entry;
  GtkEntry *folder_entry;
  GtkEntry *iso_entry;
  GtkLabel *iso_hint;
  GtkDropDown *os_dropdown;
  GtkSpinButton *memory_spin;
  GtkLabel *memory_hint;
  GtkSpinButton *cpus_spin;
  GtkLabel *cpus_hint;
  GtkCheckButton *disk_new_check;
  GtkSpinButton *size_spin;
  GtkCheckButton *fixed_check;
  GtkCheckButton *disk_existing_check;
  GtkEntry *existing_entry;
  GtkCheckButton *disk_none_check;
  GtkLabel *summary_label;

  BwClient *client;
  GStrv taken_names;
  char *iso_checked; /* the ISO path whose label was read last */
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (BwNewMachineWizard, bw_new_machine_wizard, GTK_TYPE_WINDOW)

enum
{
  SIGNAL_CREATED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static const char *const pages[] = { "name", "hardware", "disk", "summary" };

char *
bw_new_machine_check_name (const char *name, const char *const *taken)
{
  if (name == NULL || *name == '\0')
    return g_strdup (_ ("Enter a name for the machine."));
  if (strchr (name, '/') != NULL || g_str_equal (name, ".") || g_str_equal (name, ".."))
    return g_strdup (_ ("The name cannot contain “/” or be “.” or “..”."));
  if (g_utf8_strlen (name, -1) > 200)
    return g_strdup (_ ("The name is too long."));
  for (gsize i = 0; taken && taken[i]; i++)
    if (g_utf8_collate (taken[i], name) == 0)
      return g_strdup_printf (_ ("A machine named “%s” exists already. Choose another name."),
                              name);
  return NULL;
}

char *
bw_new_machine_check_folder (const char *folder, const char *name)
{
  if (folder == NULL || *folder == '\0')
    return g_strdup (_ ("Choose a folder for the machine."));
  if (!g_path_is_absolute (folder))
    return g_strdup (_ ("The folder must be a full path, starting with “/”."));
  /* The service makes missing folders; the nearest existing one must be
   * a writable folder. */
  g_autofree char *dir = g_strdup (folder);
  while (!g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_strdup_printf (_ ("“%s” is a file, not a folder."), dir);
  if (access (dir, W_OK | X_OK) != 0)
    return g_strdup_printf (_ ("The folder “%s” is not writable. Choose another folder."), dir);
  if (name != NULL && *name != '\0')
    {
      g_autofree char *target = g_build_filename (folder, name, NULL);
      if (g_file_test (target, G_FILE_TEST_EXISTS))
        {
          g_autofree char *file = g_strdup_printf ("%s.bwvm", name);
          g_autofree char *settings = g_build_filename (target, file, NULL);
          if (g_file_test (settings, G_FILE_TEST_EXISTS))
            return g_strdup_printf (_ ("“%s” already holds a machine. Choose another name or "
                                       "folder."),
                                    target);
        }
    }
  return NULL;
}

static const BwOsType *
selected_os (BwNewMachineWizard *self)
{
  const GPtrArray *all = bw_os_types_get_all ();
  guint i = gtk_drop_down_get_selected (self->os_dropdown);
  return i < all->len ? g_ptr_array_index (all, i) : bw_os_types_get_default ();
}

static void
select_os (BwNewMachineWizard *self, const char *id)
{
  const GPtrArray *all = bw_os_types_get_all ();
  const BwOsType *want = bw_os_types_lookup (id);
  for (guint i = 0; i < all->len; i++)
    if (g_ptr_array_index (all, i) == want)
      gtk_drop_down_set_selected (self->os_dropdown, i);
}

static char *
text_of (GtkEntry *entry)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}

/* Reads the ISO's label when its path changed and picks the OS type. */
static char *
check_iso (BwNewMachineWizard *self)
{
  g_autofree char *iso = text_of (self->iso_entry);
  if (*iso == '\0')
    {
      gtk_label_set_text (self->iso_hint, _ ("Without an ISO image the machine starts with an "
                                             "empty optical drive."));
      g_clear_pointer (&self->iso_checked, g_free);
      return NULL;
    }
  if (!g_path_is_absolute (iso))
    return g_strdup (_ ("The ISO image must be given as a full path, starting with “/”."));
  g_autoptr (GError) error = NULL;
  g_autofree char *label = bw_iso_read_volume_label (iso, &error);
  if (label == NULL)
    {
      gtk_label_set_text (self->iso_hint, "");
      return g_strdup_printf (_ ("The ISO image cannot be used: %s."), error->message);
    }
  if (g_strcmp0 (self->iso_checked, iso) != 0)
    {
      g_free (self->iso_checked);
      self->iso_checked = g_strdup (iso);
      const char *guess = bw_iso_guess_os_type (label);
      g_autofree char *hint = NULL;
      if (guess != NULL)
        {
          select_os (self, guess);
          hint = g_strdup_printf (_ ("Volume label “%s”: looks like %s."), label,
                                  bw_os_types_lookup (guess)->description);
        }
      else
        hint = g_strdup_printf (_ ("Volume label “%s”: choose the type below."), label);
      gtk_label_set_text (self->iso_hint, hint);
    }
  return NULL;
}

static char *
check_disk (BwNewMachineWizard *self)
{
  if (gtk_check_button_get_active (self->disk_existing_check))
    {
      g_autofree char *path = text_of (self->existing_entry);
      if (*path == '\0')
        return g_strdup (_ ("Choose the disk image to use."));
      if (!g_path_is_absolute (path))
        return g_strdup (_ ("The disk image must be given as a full path, starting with “/”."));
      BwDiskInfo info;
      g_autoptr (GError) error = NULL;
      if (!bw_disk_query_info (path, &info, &error))
        return g_strdup_printf (_ ("The disk image cannot be used: %s."), error->message);
    }
  if (gtk_check_button_get_active (self->disk_new_check))
    {
      g_autofree char *folder = text_of (self->folder_entry);
      g_autofree char *name = text_of (self->name_entry);
      g_autofree char *file = g_strdup_printf ("%s.vdi", name);
      g_autofree char *path = g_build_filename (folder, name, file, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_strdup_printf (_ ("“%s” exists already. Use it as an existing image, or choose "
                                   "another name."),
                                path);
    }
  return NULL;
}

static char *
check_page (BwNewMachineWizard *self, const char *page)
{
  if (g_str_equal (page, "name"))
    {
      g_autofree char *name = text_of (self->name_entry);
      g_autofree char *folder = text_of (self->folder_entry);
      char *problem = bw_new_machine_check_name (name, (const char *const *)self->taken_names);
      if (problem == NULL)
        problem = bw_new_machine_check_folder (folder, name);
      if (problem == NULL)
        problem = check_iso (self);
      return problem;
    }
  if (g_str_equal (page, "hardware"))
    {
      guint host = bw_host_memory_mib ();
      if ((guint)gtk_spin_button_get_value_as_int (self->memory_spin) > host)
        return g_strdup_printf (_ ("The host has only %u MiB of memory."), host);
      return NULL;
    }
  if (g_str_equal (page, "disk"))
    return check_disk (self);
  return NULL;
}

static guint
page_index (BwNewMachineWizard *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    if (g_strcmp0 (name, pages[i]) == 0)
      return i;
  return 0;
}

static void
validate (BwNewMachineWizard *self)
{
  guint i = page_index (self);
  g_autofree char *problem = check_page (self, pages[i]);
  gtk_label_set_text (self->problem_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
  gboolean last = i + 1 == G_N_ELEMENTS (pages);
  /* Two buttons rather than one relabelled: GTK 4.8 does not tell
   * assistive technologies that a button's label changed. */
  gtk_widget_set_visible (self->next_button, !last);
  gtk_widget_set_visible (self->create_button, last);
  gtk_widget_set_sensitive (self->next_button, problem == NULL && !self->busy);
  gtk_widget_set_sensitive (self->create_button, problem == NULL && !self->busy);
  gtk_widget_set_sensitive (self->back_button, i > 0 && !self->busy);

  gboolean existing = gtk_check_button_get_active (self->disk_existing_check);
  gboolean create = gtk_check_button_get_active (self->disk_new_check);
  gtk_widget_set_sensitive (GTK_WIDGET (self->size_spin), create);
  gtk_widget_set_sensitive (GTK_WIDGET (self->fixed_check), create);
  gtk_widget_set_sensitive (GTK_WIDGET (self->existing_entry), existing);
}

static void
on_changed (BwNewMachineWizard *self)
{
  validate (self);
}

static void
on_os_changed (BwNewMachineWizard *self)
{
  const BwOsType *t = selected_os (self);
  gtk_spin_button_set_value (self->memory_spin, MIN (t->memory_mib, bw_host_memory_mib ()));
  gtk_spin_button_set_value (self->size_spin, MAX (t->disk_gib, 1));
  validate (self);
}

/* Text typed into a spin button counts once it is committed; commit it
 * before the value is read. */
static void
commit_spins (BwNewMachineWizard *self)
{
  gtk_spin_button_update (self->memory_spin);
  gtk_spin_button_update (self->cpus_spin);
  gtk_spin_button_update (self->size_spin);
}

static void
fill_summary (BwNewMachineWizard *self)
{
  commit_spins (self);
  g_autofree char *name = text_of (self->name_entry);
  g_autofree char *folder = text_of (self->folder_entry);
  g_autofree char *iso = text_of (self->iso_entry);
  g_autofree char *memory = bw_format_memory (gtk_spin_button_get_value_as_int (self->memory_spin));
  g_autofree char *disk = NULL;
  if (gtk_check_button_get_active (self->disk_new_check))
    disk = g_strdup_printf (gtk_check_button_get_active (self->fixed_check)
                                ? _ ("new VDI image of %d GiB, fixed size")
                                : _ ("new VDI image of %d GiB, growing as it is used"),
                            gtk_spin_button_get_value_as_int (self->size_spin));
  else if (gtk_check_button_get_active (self->disk_existing_check))
    disk = text_of (self->existing_entry);
  else
    disk = g_strdup (_ ("none"));
  g_autofree char *text = g_strdup_printf (
      _ ("Name: %s\nFolder: %s\nOperating system: %s\nMemory: %s\nProcessors: %d\n"
         "Hard disk: %s\nOptical drive: %s"),
      name, folder, selected_os (self)->description, memory,
      gtk_spin_button_get_value_as_int (self->cpus_spin), disk, *iso ? iso : _ ("empty"));
  gtk_label_set_text (self->summary_label, text);
}

static void
show_page (BwNewMachineWizard *self, guint i)
{
  if (g_str_equal (pages[i], "summary"))
    fill_summary (self);
  gtk_stack_set_visible_child_name (self->stack, pages[i]);
  validate (self);
  /* Keyboard users land on the page's first control. */
  GtkWidget *first[] = { GTK_WIDGET (self->name_entry), GTK_WIDGET (self->memory_spin),
                         GTK_WIDGET (self->disk_new_check), self->create_button };
  G_STATIC_ASSERT (G_N_ELEMENTS (first) == G_N_ELEMENTS (pages));
  gtk_widget_grab_focus (first[i]);
}

static void
on_back_clicked (BwNewMachineWizard *self)
{
  guint i = page_index (self);
  if (i > 0)
    show_page (self, i - 1);
}

typedef struct
{
  char *uuid;
  char *disk_path;
  char **changes;
} CreateJob;

static void
create_job_free (CreateJob *job)
{
  g_free (job->uuid);
  g_free (job->disk_path);
  g_strfreev (job->changes);
  g_free (job);
}

static void
fail (BwNewMachineWizard *self, const char *doing, const GError *error)
{
  self->busy = FALSE;
  validate (self);
  g_autofree char *text = g_strdup_printf ("%s: %s", doing, error->message);
  gtk_label_set_text (self->problem_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
}

/* After the disk is made (or none was asked for): one ModifyMachine with
 * memory, CPUs and the attachments. A failure takes the machine away
 * again, so a half-made machine never stays in the list. */
static void
finish (BwNewMachineWizard *self, CreateJob *job)
{
  g_autoptr (GError) error = NULL;
  if (!bw_client_modify_machine (self->client, job->uuid, (const char *const *)job->changes,
                                 &error))
    {
      bw_client_unregister_machine (self->client, job->uuid, TRUE, NULL);
      if (job->disk_path != NULL)
        g_unlink (job->disk_path);
      fail (self, _ ("Could not set up the machine"), error);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CREATED], 0, job->uuid);
  gtk_window_destroy (GTK_WINDOW (self));
}

typedef struct
{
  char *path;
  BwDiskVariant variant;
  guint64 size;
} DiskJob;

static void
disk_job_free (DiskJob *d)
{
  g_free (d->path);
  g_free (d);
}

/* A fixed-size image writes every byte: off the main thread. */
static void
create_disk_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  DiskJob *d = data;
  GError *error = NULL;
  BwDisk *disk = bw_disk_create (d->path, BW_DISK_FORMAT_VDI, d->variant, d->size, &error);
  if (disk == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  gboolean ok = bw_disk_flush (disk, &error);
  bw_disk_unref (disk);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_disk_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BwNewMachineWizard *self = BW_NEW_MACHINE_WIZARD (source);
  CreateJob *job = user_data;
  g_autoptr (GError) error = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      bw_client_unregister_machine (self->client, job->uuid, TRUE, NULL);
      fail (self, _ ("Could not create the disk image"), error);
    }
  else
    finish (self, job);
  create_job_free (job);
}

static void
create (BwNewMachineWizard *self)
{
  g_autofree char *name = text_of (self->name_entry);
  g_autofree char *folder = text_of (self->folder_entry);
  g_autofree char *iso = text_of (self->iso_entry);
  g_autofree char *settings_path = NULL;
  g_autoptr (GError) error = NULL;

  commit_spins (self);
  char *uuid = bw_client_create_machine (self->client, name, selected_os (self)->id, folder, TRUE,
                                         &settings_path, &error);
  if (uuid == NULL)
    {
      fail (self, _ ("Could not create the machine"), error);
      return;
    }
  CreateJob *job = g_new0 (CreateJob, 1);
  job->uuid = uuid;
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *memory
      = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->memory_spin));
  g_autofree char *cpus
      = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->cpus_spin));
  g_strv_builder_add_many (b, "memory", memory, "cpus", cpus, NULL);

  g_autofree char *disk = NULL;
  if (gtk_check_button_get_active (self->disk_new_check))
    {
      g_autofree char *dir = g_path_get_dirname (settings_path);
      g_autofree char *file = g_strdup_printf ("%s.vdi", name);
      disk = g_build_filename (dir, file, NULL);
      job->disk_path = g_strdup (disk);
    }
  else if (gtk_check_button_get_active (self->disk_existing_check))
    disk = text_of (self->existing_entry);
  if (disk != NULL)
    {
      g_autofree char *v = g_strdup_printf ("hdd %s", disk);
      g_strv_builder_add_many (b, "storageattach:IDE:0:0", v, NULL);
    }
  g_autofree char *dvd = g_strdup_printf ("dvddrive %s", *iso ? iso : "emptydrive");
  g_strv_builder_add_many (b, "storageattach:IDE:1:0", dvd, NULL);
  job->changes = g_strv_builder_end (b);

  self->busy = TRUE;
  validate (self);
  if (job->disk_path == NULL)
    {
      finish (self, job);
      create_job_free (job);
      return;
    }
  DiskJob *d = g_new0 (DiskJob, 1);
  d->path = g_strdup (job->disk_path);
  d->variant = gtk_check_button_get_active (self->fixed_check) ? BW_DISK_VARIANT_FIXED
                                                               : BW_DISK_VARIANT_DYNAMIC;
  d->size = (guint64)gtk_spin_button_get_value_as_int (self->size_spin) * GIB;
  g_autoptr (GTask) task = g_task_new (self, NULL, on_disk_created, job);
  g_task_set_task_data (task, d, (GDestroyNotify)disk_job_free);
  g_task_run_in_thread (task, create_disk_thread);
}

static void
on_next_clicked (BwNewMachineWizard *self)
{
  guint i = page_index (self);
  g_autofree char *problem = check_page (self, pages[i]);
  if (problem != NULL || self->busy)
    return;
  if (i + 1 < G_N_ELEMENTS (pages))
    show_page (self, i + 1);
  else
    create (self);
}

static void
on_file_chosen (GtkNativeDialog *chooser, int response, GtkEntry *entry)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (entry), path);
    }
  g_object_unref (chooser);
}

static void
choose (BwNewMachineWizard *self, const char *title, GtkFileChooserAction action, GtkEntry *entry,
        const char *pattern)
{
  GtkFileChooserNative *chooser
      = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, NULL, NULL);
  if (pattern != NULL)
    {
      g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
      gtk_file_filter_add_pattern (filter, pattern);
      gtk_file_filter_set_name (filter, pattern);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen), entry);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_choose_folder (BwNewMachineWizard *self)
{
  choose (self, _ ("Machine Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, self->folder_entry,
          NULL);
}

static void
on_choose_iso (BwNewMachineWizard *self)
{
  choose (self, _ ("ISO Image"), GTK_FILE_CHOOSER_ACTION_OPEN, self->iso_entry, "*.iso");
}

static void
on_choose_disk (BwNewMachineWizard *self)
{
  choose (self, _ ("Disk Image"), GTK_FILE_CHOOSER_ACTION_OPEN, self->existing_entry, NULL);
}

BwNewMachineWizard *
bw_new_machine_wizard_new (GtkWindow *parent, BwClient *client)
{
  BwNewMachineWizard *self
      = g_object_new (BW_TYPE_NEW_MACHINE_WIZARD, "transient-for", parent, NULL);
  self->client = g_object_ref (client);

  g_autoptr (GPtrArray) machines = bw_client_list_machines (client, NULL);
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  for (guint i = 0; machines && i < machines->len; i++)
    g_strv_builder_add (names, ((BwClientMachine *)g_ptr_array_index (machines, i))->name);
  self->taken_names = g_strv_builder_end (names);

  g_autoptr (GHashTable) props = bw_client_get_system_properties (client, NULL);
  const char *folder = props ? g_hash_table_lookup (props, "machinefolder") : NULL;
  gtk_editable_set_text (GTK_EDITABLE (self->folder_entry), folder ? folder : "");

  /* A free default name: "New Machine", "New Machine 2", ... */
  g_autofree char *name = g_strdup (_ ("New Machine"));
  for (guint n = 2; g_strv_contains ((const char *const *)self->taken_names, name); n++)
    {
      g_free (name);
      name = g_strdup_printf (_ ("New Machine %u"), n);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  validate (self);
  return self;
}

static void
bw_new_machine_wizard_dispose (GObject *object)
{
  BwNewMachineWizard *self = BW_NEW_MACHINE_WIZARD (object);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_NEW_MACHINE_WIZARD);
  g_clear_object (&self->client);
  g_clear_pointer (&self->taken_names, g_strfreev);
  g_clear_pointer (&self->iso_checked, g_free);
  G_OBJECT_CLASS (bw_new_machine_wizard_parent_class)->dispose (object);
}

static void
bw_new_machine_wizard_class_init (BwNewMachineWizardClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = bw_new_machine_wizard_dispose;

  signals[SIGNAL_CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/Boxwood/ui/bw-new-machine-wizard.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, BwNewMachineWizard, name)
  CHILD (stack);
  CHILD (back_button);
  CHILD (next_button);
  CHILD (create_button);
  CHILD (problem_label);
  CHILD (name_entry);
  CHILD (folder_entry);
  CHILD (iso_entry);
  CHILD (iso_hint);
  CHILD (os_dropdown);
  CHILD (memory_spin);
  CHILD (memory_hint);
  CHILD (cpus_spin);
  CHILD (cpus_hint);
  CHILD (disk_new_check);
  CHILD (size_spin);
  CHILD (fixed_check);
  CHILD (disk_existing_check);
  CHILD (existing_entry);
  CHILD (disk_none_check);
  CHILD (summary_label);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_next_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_iso);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_disk);
  gtk_widget_class_bind_template_callback (widget_class, gtk_window_destroy);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bw_new_machine_wizard_init (BwNewMachineWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_autoptr (GtkStringList) os_names = gtk_string_list_new (NULL);
  const GPtrArray *all = bw_os_types_get_all ();
  for (guint i = 0; i < all->len; i++)
    gtk_string_list_append (os_names, ((const BwOsType *)g_ptr_array_index (all, i))->description);
  gtk_drop_down_set_model (self->os_dropdown, G_LIST_MODEL (os_names));
  g_signal_connect_swapped (self->os_dropdown, "notify::selected", G_CALLBACK (on_os_changed),
                            self);

  guint host_mib = bw_host_memory_mib ();
  guint host_cpus = bw_host_cpu_count ();
  gtk_spin_button_set_range (self->memory_spin, BW_MEMORY_MIN_MIB, host_mib);
  gtk_spin_button_set_range (self->cpus_spin, 1, host_cpus);
  g_autofree char *mem_hint = g_strdup_printf (_ ("The host has %u MiB of memory."), host_mib);
  g_autofree char *cpu_hint = g_strdup_printf (_ ("The host has %u processors."), host_cpus);
  gtk_label_set_text (self->memory_hint, mem_hint);
  gtk_label_set_text (self->cpus_hint, cpu_hint);
  gtk_spin_button_set_value (self->cpus_spin, 1);
  gtk_check_button_set_active (self->disk_new_check, TRUE);
  select_os (self, "Other");
  on_os_changed (self);
  bw_a11y_name_drop_down_buttons (GTK_WIDGET (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}
