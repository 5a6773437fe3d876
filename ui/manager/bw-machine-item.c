/* bw-machine-item.c: one machine of the manager's list. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-machine-item.h"

#include <glib/gi18n.h>
#include <string.h>

#include "app/main/bw-os-types.h"

struct _BwMachineItem
{
  GObject parent_instance;
  BwClient *client;
  char *uuid;
  char *name;
  char *state;
  char *error;
  char *settings_path;
  BwMachineSettings *settings;
  gboolean fetched;
  guint fetch_idle;
};

G_DEFINE_FINAL_TYPE (BwMachineItem, bw_machine_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_UUID,
  PROP_NAME,
  PROP_STATE,
  PROP_STATE_LABEL,
  PROP_ICON_NAME,
  PROP_ERROR,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

const char *
bw_machine_state_label (const char *state)
{
  static const struct
  {
    const char *state, *label;
  } labels[] = {
    { "poweroff", N_ ("Powered Off") }, { "saved", N_ ("Saved") },
    { "aborted", N_ ("Aborted") },      { "starting", N_ ("Starting") },
    { "running", N_ ("Running") },      { "paused", N_ ("Paused") },
    { "stopping", N_ ("Stopping") },    { "saving", N_ ("Saving") },
    { "restoring", N_ ("Restoring") },  { "inaccessible", N_ ("Inaccessible") },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (state, labels[i].state) == 0)
      return _ (labels[i].label);
  return state ? state : "";
}

const char *
bw_os_family_icon_name (const char *family)
{
  if (g_strcmp0 (family, "Linux") == 0)
    return "bw-os-linux-symbolic";
  if (g_strcmp0 (family, "Windows") == 0)
    return "bw-os-windows-symbolic";
  if (g_strcmp0 (family, "BSD") == 0)
    return "bw-os-bsd-symbolic";
  if (g_strcmp0 (family, "DOS") == 0)
    return "bw-os-dos-symbolic";
  return "bw-os-other-symbolic";
}

static void
fetch (BwMachineItem *self)
{
  if (self->fetched || self->client == NULL)
    return;
  self->fetched = TRUE;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *xml
      = bw_client_get_machine_settings (self->client, self->uuid, NULL, &path, &error);
  BwMachineSettings *s = NULL;
  if (xml != NULL)
    s = bw_machine_settings_load_from_data (xml, strlen (xml), path, &error);
  if (s == NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
      return;
    }
  g_clear_pointer (&self->settings, bw_machine_settings_free);
  self->settings = s;
  g_free (self->settings_path);
  self->settings_path = g_steal_pointer (&path);
  if (g_strcmp0 (self->name, s->name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (s->name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICON_NAME]);
}

const BwMachineSettings *
bw_machine_item_get_settings (BwMachineItem *self, GError **error)
{
  fetch (self);
  if (self->settings == NULL)
    g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BROKEN_SETTINGS, "%s",
                 self->error ? self->error : _ ("The machine’s settings cannot be read."));
  return self->settings;
}

const char *
bw_machine_item_get_settings_path (BwMachineItem *self)
{
  fetch (self);
  return self->settings_path;
}

void
bw_machine_item_reload (BwMachineItem *self)
{
  self->fetched = FALSE;
  g_clear_pointer (&self->error, g_free);
  fetch (self);
}

const char *
bw_machine_item_get_uuid (BwMachineItem *self)
{
  return self->uuid;
}

const char *
bw_machine_item_get_name (BwMachineItem *self)
{
  return self->name;
}

const char *
bw_machine_item_get_state (BwMachineItem *self)
{
  return self->state;
}

const char *
bw_machine_item_get_state_label (BwMachineItem *self)
{
  return bw_machine_state_label (self->state);
}

const char *
bw_machine_item_get_error (BwMachineItem *self)
{
  return self->error;
}

BwClient *
bw_machine_item_get_client (BwMachineItem *self)
{
  g_return_val_if_fail (BW_IS_MACHINE_ITEM (self), NULL);
  return self->client;
}

gboolean
bw_machine_item_is_live (BwMachineItem *self)
{
  static const char *const persisted[] = { "poweroff", "saved", "aborted", "inaccessible", NULL };
  return !g_strv_contains (persisted, self->state);
}

static gboolean
fetch_in_idle (gpointer data)
{
  BwMachineItem *self = data;
  self->fetch_idle = 0;
  fetch (self);
  return G_SOURCE_REMOVE;
}

const char *
bw_machine_item_get_icon_name (BwMachineItem *self)
{
  if (self->error != NULL && self->settings == NULL && self->fetched)
    return "dialog-warning-symbolic";
  /* A row asks while the list is first drawn: fetch after the frame, so
   * that the window appears before one service call per visible row
   * (the icon follows through notify::icon-name). */
  if (!self->fetched)
    {
      if (self->fetch_idle == 0)
        self->fetch_idle
            = g_idle_add_full (G_PRIORITY_LOW, fetch_in_idle, g_object_ref (self), g_object_unref);
      return bw_os_family_icon_name (NULL);
    }
  const BwOsType *t
      = self->settings ? bw_os_types_lookup (self->settings->hardware->os_type) : NULL;
  return bw_os_family_icon_name (t ? t->family : NULL);
}

void
bw_machine_item_set_state (BwMachineItem *self, const char *state)
{
  if (g_strcmp0 (self->state, state) == 0)
    return;
  g_free (self->state);
  self->state = g_strdup (state);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_LABEL]);
}

BwMachineItem *
bw_machine_item_new (BwClient *client, const char *uuid, const char *name, const char *state,
                     const char *error)
{
  BwMachineItem *self = g_object_new (BW_TYPE_MACHINE_ITEM, NULL);
  self->client = client ? g_object_ref (client) : NULL;
  self->uuid = g_strdup (uuid);
  self->name = g_strdup (name);
  self->state = g_strdup (state);
  self->error = error && *error ? g_strdup (error) : NULL;
  /* An unreadable machine has nothing more to fetch. */
  self->fetched = self->error != NULL;
  return self;
}

static void
bw_machine_item_finalize (GObject *object)
{
  BwMachineItem *self = BW_MACHINE_ITEM (object);
  g_clear_object (&self->client);
  g_free (self->uuid);
  /* fetch_idle holds a reference, so it is gone by now */
  g_free (self->name);
  g_free (self->state);
  g_free (self->error);
  g_free (self->settings_path);
  g_clear_pointer (&self->settings, bw_machine_settings_free);
  G_OBJECT_CLASS (bw_machine_item_parent_class)->finalize (object);
}

static void
bw_machine_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BwMachineItem *self = BW_MACHINE_ITEM (object);
  switch (prop_id)
    {
      case PROP_UUID:
        g_value_set_string (value, self->uuid);
        break;
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_STATE:
        g_value_set_string (value, self->state);
        break;
      case PROP_STATE_LABEL:
        g_value_set_string (value, bw_machine_item_get_state_label (self));
        break;
      case PROP_ICON_NAME:
        g_value_set_string (value, bw_machine_item_get_icon_name (self));
        break;
      case PROP_ERROR:
        g_value_set_string (value, self->error);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_machine_item_class_init (BwMachineItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = bw_machine_item_finalize;
  object_class->get_property = bw_machine_item_get_property;
  GParamFlags f = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, f);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, f);
  properties[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL, f);
  properties[PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, f);
  properties[PROP_ICON_NAME] = g_param_spec_string ("icon-name", NULL, NULL, NULL, f);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, f);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bw_machine_item_init (BwMachineItem *self)
{
}
