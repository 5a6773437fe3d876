/* bw-manage-client.c: boxwood-manage's side of the service client. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include "app/manage/bw-manage-client.h"

#include <string.h>

#include "app/main/bw-paths.h"
#include "app/manage/bw-manage.h"

BwClient *
bw_manage_connect (void)
{
  g_autoptr (GError) error = NULL;
  BwClient *client = bw_client_connect (&error);

  if (client == NULL)
    bw_manage_error ("cannot reach the Boxwood service: %s", error->message);
  return client;
}

int
bw_manage_client_error (const GError *error)
{
  /* The service's messages already name the thing and the fault. */
  return bw_manage_gerror (error);
}

int
bw_manage_modify (BwClient *client, const char *machine, GPtrArray *keys, GPtrArray *values)
{
  g_autoptr (GPtrArray) changes = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (keys->len == values->len, BW_MANAGE_EXIT_FAILURE);
  for (guint i = 0; i < keys->len; i++)
    {
      g_ptr_array_add (changes, keys->pdata[i]);
      g_ptr_array_add (changes, values->pdata[i]);
    }
  g_ptr_array_add (changes, NULL);

  if (!bw_client_modify_machine (client, machine, (const char *const *)changes->pdata, &error))
    return bw_manage_client_error (error);
  return BW_MANAGE_EXIT_OK;
}

int
bw_manage_modify1 (BwClient *client, const char *machine, const char *key, const char *value)
{
  const char *changes[] = { key, value, NULL };
  g_autoptr (GError) error = NULL;

  if (!bw_client_modify_machine (client, machine, changes, &error))
    return bw_manage_client_error (error);
  return BW_MANAGE_EXIT_OK;
}

BwMachineSettings *
bw_manage_get_settings (BwClient *client, const char *machine, char **uuid, char **settings_path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *xml = bw_client_get_machine_settings (client, machine, uuid, &path, &error);

  if (xml == NULL)
    {
      bw_manage_client_error (error);
      return NULL;
    }
  BwMachineSettings *settings
      = bw_machine_settings_load_from_data (xml, strlen (xml), path, &error);
  if (settings == NULL)
    {
      bw_manage_client_error (error);
      return NULL;
    }
  if (settings_path != NULL)
    *settings_path = g_steal_pointer (&path);
  return settings;
}

char *
bw_manage_absolute_path (const char *path)
{
  return bw_paths_absolute (path, NULL);
}
