/* ze-file-util.c
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>

#include "ze-error.h"
#include "ze-file-util-private.h"

/**
 * _ze_write_file_atomic:
 * @path: the file to create
 * @data: its contents
 * @len: the length of @data
 * @mode: the file mode, e.g. 0600
 * @replace: whether an existing @path may be replaced
 * @error: a location for a #ZE_ERROR
 *
 * Writes @data to a temporary file beside @path (created exclusively with
 * @mode, synced), then moves it into place in one step: rename() when
 * @replace, link() otherwise, which fails rather than overwrite. Either the
 * whole new file is at @path, or nothing changed.
 *
 * Returns: %TRUE on success
 */
gboolean
_ze_write_file_atomic (const char  *path,
                       const char  *data,
                       gsize        len,
                       int          mode,
                       gboolean     replace,
                       GError     **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  g_autofree char *display = g_filename_display_name (path);
  gsize written = 0;
  int saved_errno;
  int fd;

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, mode);
  if (fd < 0)
    goto fail;

  /* The umask must not widen or narrow what was asked for. */
  if (fchmod (fd, mode) != 0)
    goto fail_fd;

  while (written < len)
    {
      gssize n = write (fd, data + written, len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail_fd;
      written += n;
    }

  if (fsync (fd) != 0)
    goto fail_fd;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail_tmp;
    }
  fd = -1;

  if (replace)
    {
      if (rename (tmp, path) != 0)
        goto fail_tmp;
    }
  else
    {
      if (link (tmp, path) != 0)
        goto fail_tmp;
      g_unlink (tmp);
    }

  return TRUE;

fail_fd:
  saved_errno = errno;
  close (fd);
  errno = saved_errno;
fail_tmp:
  saved_errno = errno;
  g_unlink (tmp);
  errno = saved_errno;
fail:
  saved_errno = errno;
  if (saved_errno == EEXIST)
    g_set_error (error, ZE_ERROR, ZE_ERROR_IDENTITY_EXISTS,
                 _("There is already a file at “%s”, and it was left as it is. "
                   "Choose another name or location."),
                 display);
  else
    g_set_error (error, ZE_ERROR, ZE_ERROR_STORAGE_FAILED,
                 _("Could not write “%s”: %s. Check that the folder exists and that you "
                   "can write to it, and that the disk is not full."),
                 display, g_strerror (saved_errno));
  return FALSE;
}

/* Overwrites @text (a NUL-terminated string that may hold a key) with zeros. */
void
_ze_wipe_string (char *text)
{
  if (text != NULL)
    gnutls_memset (text, 0, strlen (text));
}

void
_ze_wipe_and_free (char *text)
{
  _ze_wipe_string (text);
  g_free (text);
}
