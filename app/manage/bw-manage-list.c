/* bw-manage-list.c: `boxwood-manage list`: machines, running machines, OS
 * types, media and global properties, in VBoxManage's formats. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "app/main/bw-os-types.h"
#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"

static const char usage[] = "list vms|runningvms|ostypes|hdds|dvds|systemproperties\n";

static const char help[]
    = "What:\n"
      "  vms               Registered machines, one '\"NAME\" {UUID}' line each. A machine\n"
      "                    whose settings file cannot be read is listed as\n"
      "                    '\"NAME\" {UUID} inaccessible: FILE:LINE: FAULT' (NAME is\n"
      "                    \"<inaccessible>\" when not known).\n"
      "  runningvms        Machines that have a running session, in the same form.\n"
      "  ostypes           The guest OS types that --ostype accepts.\n"
      "  hdds, dvds        Registered disk and DVD images.\n"
      "  systemproperties  Global settings (default machine folder, ...).\n";

enum
{
  LIST_VMS,
  LIST_RUNNINGVMS,
  LIST_OSTYPES,
  LIST_HDDS,
  LIST_DVDS,
  LIST_SYSTEMPROPERTIES,
};

static const char *const kinds[] = {
  "vms", "runningvms", "ostypes", "hdds", "dvds", "systemproperties", NULL,
};

static int
list_vms (BwClient *client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) machines = bw_client_list_machines (client, &error);

  if (machines == NULL)
    return bw_manage_client_error (error);
  for (guint i = 0; i < machines->len; i++)
    {
      const BwClientMachine *m = machines->pdata[i];
      const char *name = m->name != NULL && *m->name != '\0' ? m->name : "<inaccessible>";

      if (m->error != NULL && *m->error != '\0')
        {
          /* One line per machine, whatever the parser's message holds. */
          g_autofree char *fault = g_strdelimit (g_strdup (m->error), "\r\n", ' ');
          printf ("\"%s\" {%s} inaccessible: %s\n", name, m->uuid, g_strchomp (fault));
        }
      else
        printf ("\"%s\" {%s}\n", name, m->uuid);
    }
  return BW_MANAGE_EXIT_OK;
}

static int
list_running (BwClient *client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) sessions = bw_client_list_sessions (client, &error);

  if (sessions == NULL)
    return bw_manage_client_error (error);
  for (guint i = 0; i < sessions->len; i++)
    {
      const BwClientSession *s = sessions->pdata[i];
      printf ("\"%s\" {%s}\n", s->name, s->uuid);
    }
  return BW_MANAGE_EXIT_OK;
}

static int
list_ostypes (void)
{
  const GPtrArray *types = bw_os_types_get_all ();

  for (guint i = 0; i < types->len; i++)
    {
      const BwOsType *t = types->pdata[i];
      printf ("ID:          %s\n"
              "Description: %s\n"
              "Family ID:   %s\n"
              "64 bit:      %s\n"
              "Memory:      %u MB\n"
              "Disk:        %u GB\n"
              "VRAM:        %u MB\n\n",
              t->id, t->description, t->family, t->is_64bit ? "true" : "false", t->memory_mib,
              t->disk_gib, t->vram_mib);
    }
  return BW_MANAGE_EXIT_OK;
}

static int
list_media (BwClient *client, const char *kind)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) media = bw_client_list_media (client, kind, &error);

  if (media == NULL)
    return bw_manage_client_error (error);
  for (guint i = 0; i < media->len; i++)
    {
      const BwClientMedium *m = media->pdata[i];
      g_autofree char *used = m->used_by != NULL && m->used_by[0] != NULL
                                  ? g_strjoinv (", ", m->used_by)
                                  : g_strdup ("");

      printf ("UUID:           %s\n"
              "State:          %s\n"
              "Location:       %s\n"
              "Storage format: %s\n"
              "Capacity:       %" G_GUINT64_FORMAT " MBytes\n",
              m->uuid, m->error != NULL && *m->error != '\0' ? "inaccessible" : "created",
              m->location, m->format, (m->size + (1 << 20) - 1) >> 20);
      if (*used != '\0')
        printf ("In use by VMs:  %s\n", used);
      if (m->error != NULL && *m->error != '\0')
        printf ("Access error:   %s\n", m->error);
      printf ("\n");
    }
  return BW_MANAGE_EXIT_OK;
}

static int
compare_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static int
list_properties (BwClient *client)
{
  static const struct
  {
    const char *key, *label;
  } labels[] = {
    { "machinefolder", "Default machine folder:" },
    { "configfile", "Settings file:" },
    { "version", "Service version:" },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) props = bw_client_get_system_properties (client, &error);

  if (props == NULL)
    return bw_manage_client_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      const char *value = g_hash_table_lookup (props, labels[i].key);
      if (value != NULL)
        printf ("%-32s %s\n", labels[i].label, value);
    }

  /* Properties this version has no label for, sorted for stable output. */
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (props, NULL);
  g_qsort_with_data (keys, g_hash_table_size (props), sizeof (gpointer), compare_keys, NULL);
  for (guint i = 0; i < g_hash_table_size (props); i++)
    {
      gboolean known = FALSE;
      for (gsize j = 0; j < G_N_ELEMENTS (labels); j++)
        known |= strcmp (keys[i], labels[j].key) == 0;
      if (!known)
        printf ("%-32s %s\n", (char *)keys[i], (char *)g_hash_table_lookup (props, keys[i]));
    }
  return BW_MANAGE_EXIT_OK;
}

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *opt, *pos;
  int what = -1;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (opt != NULL)
        return bw_manage_args_unknown (args, opt);
      if (what >= 0)
        return bw_manage_args_unexpected (args, pos);
      for (int i = 0; kinds[i] != NULL; i++)
        if (g_ascii_strcasecmp (pos, kinds[i]) == 0)
          what = i;
      if (what < 0)
        return bw_manage_syntax_error (cmd, "cannot list '%s'", pos);
    }
  if (what < 0)
    return bw_manage_args_missing (args, "what to list");

  /* The OS type table is built in: no need to start the service. */
  if (what == LIST_OSTYPES)
    return list_ostypes ();

  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  switch (what)
    {
      case LIST_VMS:
        return list_vms (client);
      case LIST_RUNNINGVMS:
        return list_running (client);
      case LIST_HDDS:
        return list_media (client, "hdd");
      case LIST_DVDS:
        return list_media (client, "dvd");
      case LIST_SYSTEMPROPERTIES:
      default:
        return list_properties (client);
    }
}

const BwManageCommand bw_manage_cmd_list = {
  .name = "list",
  .summary = "List machines, running machines, OS types, media or global settings",
  .usage = usage,
  .help = help,
  .run = run,
};
