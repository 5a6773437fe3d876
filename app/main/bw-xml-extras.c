/* bw-xml-extras.c: keeping XML that this version does not understand. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <string.h>
#include <libxml/tree.h>

#include "app/main/bw-settings-xml-private.h"
#include "app/main/bw-xml-extras.h"

/* A private document whose root has one holder element per key; a holder
 * carries the copied attributes and child elements. Key "" is stored as
 * holder name "_" (a valid XML name that no settings element uses). */
struct _BwXmlExtras {
  xmlDoc *doc;
};

static const char *
holder_name (const char *key)
{
  return (key == NULL || key[0] == '\0') ? "_" : key;
}

static xmlNode *
find_holder (const BwXmlExtras *extras, const char *key)
{
  if (extras == NULL)
    return NULL;
  const char *name = holder_name (key);
  for (xmlNode *n = xmlDocGetRootElement (extras->doc)->children; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE && strcmp ((const char *) n->name, name) == 0)
      return n;
  return NULL;
}

static BwXmlExtras *
extras_new (void)
{
  BwXmlExtras *extras = g_new0 (BwXmlExtras, 1);
  extras->doc = xmlNewDoc (BAD_CAST "1.0");
  xmlDocSetRootElement (extras->doc, xmlNewDocNode (extras->doc, NULL, BAD_CAST "extras", NULL));
  return extras;
}

static gboolean
in_our_ns (const xmlNode *node)
{
  return node->ns != NULL && node->ns->href != NULL &&
         strcmp ((const char *) node->ns->href, BW_SETTINGS_NAMESPACE) == 0;
}

static gboolean
name_in (const char *name, const char *const *list)
{
  for (; list != NULL && *list != NULL; list++)
    if (strcmp (name, *list) == 0)
      return TRUE;
  return FALSE;
}

/* Copy attribute `a` onto `target`, declaring its namespace on the
 * document's root element when it is not in scope. (xmlCopyProp plus
 * xmlAddChild does not link the copy: xmlAddChild sees it already
 * "parented".) */
static void
copy_attr (xmlNode *target, const xmlAttr *a)
{
  xmlNs *ns = NULL;
  if (a->ns != NULL && a->ns->href != NULL)
    {
      ns = xmlSearchNsByHref (target->doc, target, a->ns->href);
      if (ns == NULL || ns->prefix == NULL)
        {
          /* Attributes need a prefix; keep the original one if free. */
          xmlNode *root = xmlDocGetRootElement (target->doc);
          if (root == NULL)
            root = target;
          const char *prefix = a->ns->prefix ? (const char *) a->ns->prefix : "ns";
          ns = xmlNewNs (root, a->ns->href, BAD_CAST prefix);
          for (guint i = 1; ns == NULL && i < 100; i++)
            {
              g_autofree char *p = g_strdup_printf ("%s%u", prefix, i);
              if (xmlSearchNs (target->doc, target, BAD_CAST p) == NULL)
                ns = xmlNewNs (root, a->ns->href, BAD_CAST p);
            }
          if (ns == NULL)
            return;
        }
    }
  xmlChar *value = xmlNodeListGetString (a->doc, a->children, 1);
  xmlSetNsProp (target, ns, a->name, value ? value : BAD_CAST "");
  xmlFree (value);
}

void
bw_xml_extras_collect (BwXmlExtras      **extras,
                       const char        *key,
                       const xmlNode     *node,
                       const char *const *known_attrs,
                       const char *const *known_children)
{
  xmlNode *holder = NULL;

  for (xmlAttr *a = node->properties; a != NULL; a = a->next)
    {
      if (a->ns == NULL && name_in ((const char *) a->name, known_attrs))
        continue;
      if (*extras == NULL)
        *extras = extras_new ();
      if (holder == NULL)
        holder = find_holder (*extras, key);
      if (holder == NULL)
        holder = xmlNewChild (xmlDocGetRootElement ((*extras)->doc), NULL,
                              BAD_CAST holder_name (key), NULL);
      copy_attr (holder, a);
    }

  for (xmlNode *c = node->children; c != NULL; c = c->next)
    {
      if (c->type != XML_ELEMENT_NODE)
        continue;
      if (in_our_ns (c) && name_in ((const char *) c->name, known_children))
        continue;
      if (*extras == NULL)
        *extras = extras_new ();
      if (holder == NULL)
        holder = find_holder (*extras, key);
      if (holder == NULL)
        holder = xmlNewChild (xmlDocGetRootElement ((*extras)->doc), NULL,
                              BAD_CAST holder_name (key), NULL);
      xmlNode *copy = xmlDocCopyNode ((xmlNode *) c, (*extras)->doc, 1);
      if (copy != NULL)
        xmlAddChild (holder, copy);
    }
}

gboolean
bw_xml_extras_has (const BwXmlExtras *extras, const char *key)
{
  return find_holder (extras, key) != NULL;
}

void
bw_xml_extras_apply (const BwXmlExtras *extras, const char *key, xmlNode *node)
{
  xmlNode *holder = find_holder (extras, key);
  if (holder == NULL)
    return;
  for (xmlAttr *a = holder->properties; a != NULL; a = a->next)
    {
      /* Never let a kept attribute shadow one we wrote ourselves. */
      if (a->ns == NULL && xmlHasNsProp (node, a->name, NULL) != NULL)
        continue;
      copy_attr (node, a);
    }
  for (xmlNode *c = holder->children; c != NULL; c = c->next)
    {
      if (c->type != XML_ELEMENT_NODE)
        continue;
      xmlNode *copy = xmlDocCopyNode (c, node->doc, 1);
      if (copy != NULL)
        xmlAddChild (node, copy);
    }
}

BwXmlExtras *
bw_xml_extras_copy (const BwXmlExtras *extras)
{
  if (extras == NULL)
    return NULL;
  BwXmlExtras *copy = g_new0 (BwXmlExtras, 1);
  copy->doc = xmlCopyDoc (extras->doc, 1);
  return copy;
}

void
bw_xml_extras_free (BwXmlExtras *extras)
{
  if (extras == NULL)
    return;
  xmlFreeDoc (extras->doc);
  g_free (extras);
}

gboolean
bw_xml_extras_is_empty (const BwXmlExtras *extras)
{
  return extras == NULL || xmlDocGetRootElement (extras->doc)->children == NULL;
}

char *
bw_xml_extras_to_string (const BwXmlExtras *extras)
{
  if (bw_xml_extras_is_empty (extras))
    return g_strdup ("");
  xmlBuffer *buf = xmlBufferCreate ();
  xmlNodeDump (buf, extras->doc, xmlDocGetRootElement (extras->doc), 0, 0);
  char *s = g_strndup ((const char *) xmlBufferContent (buf), xmlBufferLength (buf));
  xmlBufferFree (buf);
  return s;
}

gboolean
bw_xml_extras_equal (const BwXmlExtras *a, const BwXmlExtras *b)
{
  g_autofree char *sa = bw_xml_extras_to_string (a);
  g_autofree char *sb = bw_xml_extras_to_string (b);
  return strcmp (sa, sb) == 0;
}
