/* bw-xml-extras.h: XML this version does not understand, kept so that a
 * rewrite does not lose it.
 *
 * Each settings struct owns one BwXmlExtras (NULL when there is nothing).
 * It holds, per element of the struct ("" for the struct's own element,
 * else the local name of a child element like "CPU"), copies of the
 * unknown attributes and child elements found there; the writer puts them
 * back on the same element, after the known children. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BwXmlExtras BwXmlExtras;

BwXmlExtras *bw_xml_extras_copy (const BwXmlExtras *extras);
void         bw_xml_extras_free (BwXmlExtras *extras);
/* TRUE for NULL or when nothing is held. */
gboolean     bw_xml_extras_is_empty (const BwXmlExtras *extras);
/* Serialised form, stable for comparisons and debugging. */
char        *bw_xml_extras_to_string (const BwXmlExtras *extras);
gboolean     bw_xml_extras_equal (const BwXmlExtras *a, const BwXmlExtras *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwXmlExtras, bw_xml_extras_free)

G_END_DECLS
