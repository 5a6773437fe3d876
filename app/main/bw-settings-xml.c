/* bw-settings-xml.c: parsing, attribute and error helpers shared by the
 * machine settings and boxwood.xml readers and writers. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "app/main/bw-settings-xml-private.h"

G_DEFINE_QUARK (bw-settings-error-quark, bw_settings_error)

static void
init_libxml_once (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      xmlInitParser ();
      g_once_init_leave (&done, 1);
    }
}

/* libxml2 reports several errors for one fault and the first one is the
 * one that names it; keep that. */
typedef struct {
  char *message;
  int   line;
} FirstError;

static void
first_error (void *data, xmlErrorPtr err)
{
  xmlParserCtxt *ctxt = data;
  FirstError *first = ctxt->_private;
  if (first == NULL || first->message != NULL || err == NULL || err->level < XML_ERR_ERROR)
    return;
  first->message = g_strchomp (g_strdup (err->message ? err->message : "not well-formed XML"));
  first->line = err->line;
}

xmlDoc *
bw_xml_parse (const char *data, gsize len, const char *file, GError **error)
{
  init_libxml_once ();
  if (len > G_MAXINT)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_PARSE,
                   "%s: file too large", file);
      return NULL;
    }
  if (len == 0)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_PARSE,
                   "%s:1: file is empty", file);
      return NULL;
    }

  xmlParserCtxt *ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_PARSE,
                   "%s: out of memory creating the XML parser", file);
      return NULL;
    }
  /* No network, no entity substitution, no DTD loading; quiet, so that the
   * error comes back to the caller instead of going to stderr. */
  FirstError first = { NULL, 0 };
  ctxt->_private = &first;
  ctxt->sax->serror = first_error;
  int options = XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES |
                XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  xmlDoc *doc = xmlCtxtReadMemory (ctxt, data, (int) len, file, "UTF-8", options);
  if (doc == NULL || !ctxt->wellFormed)
    {
      const xmlError *err = xmlCtxtGetLastError (ctxt);
      if (first.message == NULL)
        {
          first.message = g_strchomp (g_strdup (err && err->message ? err->message
                                                                     : "not well-formed XML"));
          first.line = err ? err->line : 0;
        }
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_PARSE,
                   "%s:%d: %s", file, first.line, first.message);
      g_free (first.message);
      if (doc != NULL)
        xmlFreeDoc (doc);
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }
  g_free (first.message);
  xmlFreeParserCtxt (ctxt);

  if (doc->intSubset != NULL || doc->extSubset != NULL)
    {
      /* libxml2 keeps no line for the DTD node: count it. */
      const char *dt = g_strstr_len (data, (gssize) len, "<!DOCTYPE");
      long line = 1;
      for (const char *p = data; dt != NULL && p < dt; p++)
        line += *p == '\n';
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_PARSE,
                   "%s:%ld: document type declarations are not allowed", file, line);
      xmlFreeDoc (doc);
      return NULL;
    }
  return doc;
}

static long
line_of (const xmlNode *node)
{
  long line = node ? xmlGetLineNo ((xmlNode *) node) : -1;
  return line > 0 ? line : 0;
}

void
bw_xml_set_error (GError           **error,
                  const BwXmlReader *rd,
                  const xmlNode     *node,
                  const char        *format,
                  ...)
{
  if (error == NULL)
    return;
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_INVALID,
               "%s:%ld: %s", rd->file, line_of (node), msg);
}

gboolean
bw_xml_is (const xmlNode *node, const char *name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE &&
         node->ns != NULL && node->ns->href != NULL &&
         strcmp ((const char *) node->ns->href, BW_SETTINGS_NAMESPACE) == 0 &&
         strcmp ((const char *) node->name, name) == 0;
}

xmlNode *
bw_xml_child (const xmlNode *node, const char *name)
{
  for (xmlNode *c = node->children; c != NULL; c = c->next)
    if (bw_xml_is (c, name))
      return c;
  return NULL;
}

xmlNode *
bw_xml_next (const xmlNode *node, const char *name)
{
  for (xmlNode *c = node->next; c != NULL; c = c->next)
    if (bw_xml_is (c, name))
      return c;
  return NULL;
}

xmlNode *
bw_xml_check_root (xmlDoc      *doc,
                   BwXmlReader *rd,
                   const char  *root_name,
                   guint        min_version,
                   guint        max_version,
                   GError     **error)
{
  xmlNode *root = xmlDocGetRootElement (doc);
  if (!bw_xml_is (root, root_name))
    {
      bw_xml_set_error (error, rd, root,
                        "root element is <%s>, expected <%s> in namespace %s",
                        root ? (const char *) root->name : "", root_name,
                        BW_SETTINGS_NAMESPACE);
      return NULL;
    }
  guint version = 0;
  if (!bw_xml_get_uint (rd, root, "version", TRUE, 0, G_MAXUINT, &version, error))
    return NULL;
  if (version < min_version || version > max_version)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_VERSION,
                   "%s:%ld: format version %u is not supported (this Boxwood reads %u to %u)",
                   rd->file, line_of (root), version, min_version, max_version);
      return NULL;
    }
  rd->version = version;
  return root;
}

/* The attribute's value, or NULL. Entity references are not expanded, so a
 * value is plain text. */
static char *
get_attr (xmlNode *node, const char *name)
{
  xmlChar *v = xmlGetNoNsProp (node, BAD_CAST name);
  if (v == NULL)
    return NULL;
  char *s = g_strdup ((const char *) v);
  xmlFree (v);
  return s;
}

static gboolean
missing (const BwXmlReader *rd, xmlNode *node, const char *name,
         gboolean required, GError **error)
{
  if (required)
    bw_xml_set_error (error, rd, node, "<%s> lacks the attribute %s",
                      (const char *) node->name, name);
  return !required;
}

gboolean
bw_xml_get_string (const BwXmlReader *rd, xmlNode *node, const char *name,
                   gboolean required, char **out, GError **error)
{
  char *v = get_attr (node, name);
  if (v == NULL)
    return missing (rd, node, name, required, error);
  if (!g_utf8_validate (v, -1, NULL))
    {
      g_free (v);
      bw_xml_set_error (error, rd, node, "attribute %s is not valid UTF-8", name);
      return FALSE;
    }
  g_free (*out);
  if (v[0] == '\0')
    {
      g_free (v);
      v = NULL;
    }
  *out = v;
  return TRUE;
}

gboolean
bw_xml_get_uint64 (const BwXmlReader *rd, xmlNode *node, const char *name,
                   gboolean required, guint64 min, guint64 max, guint64 *out,
                   GError **error)
{
  g_autofree char *v = get_attr (node, name);
  if (v == NULL)
    return missing (rd, node, name, required, error);
  guint64 value = 0;
  const char *p = g_strstrip (v);
  guint base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
      base = 16;
      p += 2;
    }
  if (!g_ascii_isxdigit (p[0]) ||
      !g_ascii_string_to_unsigned (p, base, 0, G_MAXUINT64, &value, NULL))
    {
      bw_xml_set_error (error, rd, node, "attribute %s=\"%s\" is not a number",
                        name, v);
      return FALSE;
    }
  if (value < min || value > max)
    {
      bw_xml_set_error (error, rd, node,
                        "attribute %s=\"%s\" is out of range (%" G_GUINT64_FORMAT
                        "..%" G_GUINT64_FORMAT ")", name, v, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

gboolean
bw_xml_get_uint (const BwXmlReader *rd, xmlNode *node, const char *name,
                 gboolean required, guint64 min, guint64 max, guint *out,
                 GError **error)
{
  guint64 v = *out;
  if (!bw_xml_get_uint64 (rd, node, name, required, min, MIN (max, G_MAXUINT), &v, error))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

gboolean
bw_xml_get_bool (const BwXmlReader *rd, xmlNode *node, const char *name,
                 gboolean required, gboolean *out, GError **error)
{
  g_autofree char *v = get_attr (node, name);
  if (v == NULL)
    return missing (rd, node, name, required, error);
  if (strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
    *out = TRUE;
  else if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0)
    *out = FALSE;
  else
    {
      bw_xml_set_error (error, rd, node,
                        "attribute %s=\"%s\" is not a boolean (true or false)",
                        name, v);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_xml_get_enum (const BwXmlReader *rd, xmlNode *node, const char *name,
                 gboolean required, gpointer parser, const char *what,
                 int *out, GError **error)
{
  g_autofree char *v = get_attr (node, name);
  if (v == NULL)
    return missing (rd, node, name, required, error);
  BwXmlEnumParser parse = (BwXmlEnumParser) parser;
  if (!parse (v, out))
    {
      bw_xml_set_error (error, rd, node, "unknown %s \"%s\" in attribute %s",
                        what, v, name);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_xml_get_uuid (const BwXmlReader *rd, xmlNode *node, const char *name,
                 gboolean required, char **out, GError **error)
{
  g_autofree char *v = get_attr (node, name);
  if (v == NULL)
    return missing (rd, node, name, required, error);
  char *uuid = bw_uuid_normalize (v);
  if (uuid == NULL)
    {
      bw_xml_set_error (error, rd, node, "attribute %s=\"%s\" is not a UUID",
                        name, v);
      return FALSE;
    }
  g_free (*out);
  *out = uuid;
  return TRUE;
}

gboolean
bw_xml_get_time (const BwXmlReader *rd, xmlNode *node, const char *name,
                 gboolean required, gint64 *out, GError **error)
{
  g_autofree char *v = get_attr (node, name);
  if (v == NULL)
    return missing (rd, node, name, required, error);
  if (!bw_time_parse (v, out))
    {
      bw_xml_set_error (error, rd, node,
                        "attribute %s=\"%s\" is not an ISO 8601 time", name, v);
      return FALSE;
    }
  return TRUE;
}

char *
bw_xml_child_text (const xmlNode *node, const char *name)
{
  xmlNode *c = bw_xml_child (node, name);
  if (c == NULL)
    return NULL;
  xmlChar *t = xmlNodeGetContent (c);
  if (t == NULL)
    return NULL;
  char *s = NULL;
  if (t[0] != '\0' && g_utf8_validate ((const char *) t, -1, NULL))
    s = g_strdup ((const char *) t);
  xmlFree (t);
  return s;
}

/* Writer side. */

void
bw_xml_set_string (xmlNode *node, const char *name, const char *value)
{
  if (value != NULL)
    xmlSetProp (node, BAD_CAST name, BAD_CAST value);
}

void
bw_xml_set_uint (xmlNode *node, const char *name, guint64 value)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  xmlSetProp (node, BAD_CAST name, BAD_CAST buf);
}

void
bw_xml_set_hex (xmlNode *node, const char *name, guint value)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "0x%x", value);
  xmlSetProp (node, BAD_CAST name, BAD_CAST buf);
}

void
bw_xml_set_bool (xmlNode *node, const char *name, gboolean value)
{
  xmlSetProp (node, BAD_CAST name, BAD_CAST (value ? "true" : "false"));
}

void
bw_xml_set_time (xmlNode *node, const char *name, gint64 usec)
{
  g_autofree char *t = bw_time_format (usec);
  if (t != NULL)
    xmlSetProp (node, BAD_CAST name, BAD_CAST t);
}

xmlNode *
bw_xml_add_child (xmlNode *parent, const char *name)
{
  /* Children inherit the default namespace declared on the root. */
  return xmlNewChild (parent, parent->ns, BAD_CAST name, NULL);
}

void
bw_xml_add_text_child (xmlNode *parent, const char *name, const char *text)
{
  if (text == NULL)
    return;
  xmlNode *c = bw_xml_add_child (parent, name);
  xmlNodeAddContent (c, BAD_CAST text);
}

xmlDoc *
bw_xml_new_doc (const char *root_name, guint version, xmlNode **root)
{
  init_libxml_once ();
  xmlDoc *doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *r = xmlNewDocNode (doc, NULL, BAD_CAST root_name, NULL);
  xmlNs *ns = xmlNewNs (r, BAD_CAST BW_SETTINGS_NAMESPACE, NULL);
  xmlSetNs (r, ns);
  xmlDocSetRootElement (doc, r);
  bw_xml_set_uint (r, "version", version);
  *root = r;
  return doc;
}

char *
bw_xml_dump (xmlDoc *doc, gsize *len)
{
  xmlChar *mem = NULL;
  int size = 0;
  xmlDocDumpFormatMemoryEnc (doc, &mem, &size, "UTF-8", 1);
  char *s = g_strndup ((const char *) mem, size);
  xmlFree (mem);
  if (len)
    *len = size;
  return s;
}

/* UUIDs and times. */

char *
bw_uuid_normalize (const char *text)
{
  if (text == NULL)
    return NULL;
  g_autofree char *t = g_strdup (text);
  char *p = g_strstrip (t);
  gsize n = strlen (p);
  if (n >= 2 && p[0] == '{' && p[n - 1] == '}')
    {
      p[n - 1] = '\0';
      p++;
    }
  if (!g_uuid_string_is_valid (p))
    return NULL;
  return g_ascii_strdown (p, -1);
}

char *
bw_uuid_new (void)
{
  return g_uuid_string_random ();
}

char *
bw_time_format (gint64 usec)
{
  if (usec == 0)
    return NULL;
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (dt == NULL)
    return NULL;
  g_autoptr (GDateTime) full = g_date_time_add (dt, usec % G_USEC_PER_SEC);
  if (full == NULL)
    return NULL;
  return g_date_time_format_iso8601 (full);
}

gboolean
bw_time_parse (const char *text, gint64 *usec)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return FALSE;
  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}
