/* bw-manage-medium.h: what the media subcommands share: naming a medium by
 * file or UUID, formats from file names, finding parents of differencing
 * images through the service's media registry. */
#pragma once

#include <glib.h>

#include "app/main/client/bw-client.h"
#include "app/manage/bw-manage.h"
#include "devices/storage/bw-disk.h"

G_BEGIN_DECLS

/* "{uuid}" or "uuid". */
gboolean bw_manage_looks_like_uuid (const char *text);

/* An existing image named by path or by a registered medium's UUID; the
 * absolute path, or NULL after printing an error. *client is connected
 * when the service must be asked (and kept for the caller). */
char *bw_manage_resolve_medium (BwClient **client, const char *what);

/* VDI for ".vdi", RAW for ".img", ".raw", ".bin"; FALSE otherwise. */
gboolean bw_manage_format_from_name (const char *path, BwDiskFormat *format);

/* A BwDiskParentLookup that asks the service (user_data: BwClient **,
 * connected on first use) where a parent UUID's image is. */
char *bw_manage_parent_lookup (const char *parent_uuid, const char *child_path, gpointer user_data);

/* Sizes for people: "2048 MBytes" style, as VBoxManage prints them. */
guint64 bw_manage_mbytes (guint64 bytes);

/* Options shared by clonemedium and convertfromraw: SRC DST [--format F]
 * [--variant V]. Returns an exit status; on success the arguments are
 * filled (format and variant: -1 when not given). */
int bw_manage_parse_copy_args (BwManageArgs *args, const char **src, const char **dst, int *format,
                               int *variant);

/* Copies src into a new image at dst (absolute), format and variant as
 * given or (when -1) from dst's name and src; prints the result. With
 * client, the new image is registered. Returns an exit status. */
int bw_manage_copy_disk (BwDisk *src, const char *dst, int format, int variant, BwClient *client);

G_END_DECLS
