/* bw-error-text.c: actionable error text. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-error-text.h"

#include <glib/gi18n.h>

#include "app/main/client/bw-client.h"

static const char *
advice (const GError *error)
{
  if (error->domain != BW_CLIENT_ERROR)
    return NULL;
  switch ((BwClientError)error->code)
    {
      case BW_CLIENT_ERROR_NO_SERVICE:
        return _ ("Boxwood’s background service (boxwood-svc) is not reachable. Check that it is "
                  "installed next to boxwood, then choose Retry.");
      case BW_CLIENT_ERROR_UNKNOWN_MACHINE:
        return _ ("The machine was removed in the meantime; the list has been updated.");
      case BW_CLIENT_ERROR_DUPLICATE_NAME:
        return _ ("Choose another name.");
      case BW_CLIENT_ERROR_NOT_FOUND:
        return _ ("Check that the file exists, or choose another one.");
      case BW_CLIENT_ERROR_EXISTS:
        return _ ("Choose another name or folder, or move the existing files away.");
      case BW_CLIENT_ERROR_BROKEN_SETTINGS:
        return _ ("Repair or restore the settings file (a copy is kept as NAME.bwvm-prev), or "
                  "remove the machine from the list.");
      case BW_CLIENT_ERROR_BUSY:
        return _ ("Power the machine off, or detach the image from the other machine, and try "
                  "again.");
      case BW_CLIENT_ERROR_IO:
        return _ ("Check the free disk space and the permissions of the folder.");
      case BW_CLIENT_ERROR_INVALID_ARGUMENT:
      case BW_CLIENT_ERROR_UNKNOWN_MEDIUM:
      case BW_CLIENT_ERROR_FAILED:
      default:
        return NULL;
    }
}

char *
bw_error_text (const char *doing, const GError *error)
{
  const char *message = error ? error->message : _ ("unknown error");
  const char *tip = error ? advice (error) : NULL;
  /* Translators: "<what failed>: <the service's message>. <what to do>" */
  if (tip != NULL)
    return g_strdup_printf (_ ("%s: %s. %s"), doing, message, tip);
  return g_strdup_printf (_ ("%s: %s."), doing, message);
}
