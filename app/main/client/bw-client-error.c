#define G_LOG_DOMAIN "boxwood-client"

#include "config.h"

#include "app/main/client/bw-client.h"

/* The D-Bus names of BwClientError. Registering the domain makes GDBus map
 * both ways: the service returns a GError of this domain and the client
 * receives the same domain and code. */
static const GDBusErrorEntry bw_client_error_entries[] = {
  { BW_CLIENT_ERROR_FAILED, "org.boxwood.Error.Failed" },
  { BW_CLIENT_ERROR_NO_SERVICE, "org.boxwood.Error.NoService" },
  { BW_CLIENT_ERROR_UNKNOWN_MACHINE, "org.boxwood.Error.UnknownMachine" },
  { BW_CLIENT_ERROR_DUPLICATE_NAME, "org.boxwood.Error.DuplicateName" },
  { BW_CLIENT_ERROR_INVALID_ARGUMENT, "org.boxwood.Error.InvalidArgument" },
  { BW_CLIENT_ERROR_NOT_FOUND, "org.boxwood.Error.NotFound" },
  { BW_CLIENT_ERROR_EXISTS, "org.boxwood.Error.Exists" },
  { BW_CLIENT_ERROR_BROKEN_SETTINGS, "org.boxwood.Error.BrokenSettings" },
  { BW_CLIENT_ERROR_BUSY, "org.boxwood.Error.Busy" },
  { BW_CLIENT_ERROR_UNKNOWN_MEDIUM, "org.boxwood.Error.UnknownMedium" },
  { BW_CLIENT_ERROR_IO, "org.boxwood.Error.IO" },
};

GQuark
bw_client_error_quark (void)
{
  static gsize quark = 0;
  g_dbus_error_register_error_domain ("bw-client-error-quark", &quark,
                                      bw_client_error_entries,
                                      G_N_ELEMENTS (bw_client_error_entries));
  return (GQuark) quark;
}
