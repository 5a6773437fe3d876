/* bw-settings-schema.c: RELAX NG validation of settings files against the
 * embedded data/boxwood-settings.rng. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <gio/gio.h>
#include <libxml/relaxng.h>

#include "app/main/bw-main-resources.h"
#include "app/main/bw-settings-schema.h"
#include "app/main/bw-settings-xml-private.h"

#define SCHEMA_RESOURCE "/org/boxwood/main/boxwood-settings.rng"

/* The first structured error of a validation run. */
typedef struct {
  char *message;
  int   line;
} FirstError;

static void
collect_error (void *data, const xmlError *err)
{
  FirstError *first = data;
  if (first->message != NULL || err == NULL)
    return;
  first->message = g_strchomp (g_strdup (err->message ? err->message : "invalid"));
  first->line = err->line;
}

/* Parsed once; a xmlRelaxNG is read-only after parsing, but validation
 * contexts are per call. */
static xmlRelaxNG *
get_schema (GError **error)
{
  static xmlRelaxNG *schema = NULL;
  static char *failure = NULL;
  if (g_once_init_enter (&schema))
    {
      xmlRelaxNG *s = NULL;
      g_autoptr (GError) local = NULL;
      g_autoptr (GBytes) bytes = g_resource_lookup_data (bw_main_get_resource (), SCHEMA_RESOURCE,
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, &local);
      if (bytes != NULL)
        {
          gsize len = 0;
          const char *data = g_bytes_get_data (bytes, &len);
          xmlRelaxNGParserCtxt *pc = xmlRelaxNGNewMemParserCtxt (data, (int) len);
          FirstError fe = { NULL, 0 };
          xmlRelaxNGSetParserStructuredErrors (pc, (xmlStructuredErrorFunc) collect_error, &fe);
          s = xmlRelaxNGParse (pc);
          xmlRelaxNGFreeParserCtxt (pc);
          if (s == NULL)
            failure = g_strdup_printf ("schema %s:%d: %s", SCHEMA_RESOURCE, fe.line,
                                       fe.message ? fe.message : "cannot be parsed");
          g_free (fe.message);
        }
      else
        failure = g_strdup (local->message);
      /* g_once_init_leave needs a non-NULL value: mark failure with 1. */
      g_once_init_leave (&schema, s ? s : (xmlRelaxNG *) (gsize) 1);
    }
  if (schema == (xmlRelaxNG *) (gsize) 1)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_SCHEMA, "%s", failure);
      return NULL;
    }
  return schema;
}

gboolean
bw_settings_schema_validate_data (const char *data, gsize len, const char *display_name,
                                  GError **error)
{
  const char *file = display_name ? display_name : "(settings)";
  xmlRelaxNG *schema = get_schema (error);
  if (schema == NULL)
    return FALSE;
  xmlDoc *doc = bw_xml_parse (data, len, file, error);
  if (doc == NULL)
    return FALSE;
  xmlRelaxNGValidCtxt *vc = xmlRelaxNGNewValidCtxt (schema);
  FirstError fe = { NULL, 0 };
  xmlRelaxNGSetValidStructuredErrors (vc, (xmlStructuredErrorFunc) collect_error, &fe);
  int rc = xmlRelaxNGValidateDoc (vc, doc);
  xmlRelaxNGFreeValidCtxt (vc);
  xmlFreeDoc (doc);
  if (rc != 0)
    g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_SCHEMA, "%s:%d: %s", file,
                 fe.line, fe.message ? fe.message : "does not match the schema");
  g_free (fe.message);
  return rc == 0;
}

gboolean
bw_settings_schema_validate_file (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, error))
    return FALSE;
  return bw_settings_schema_validate_data (data, len, path, error);
}
