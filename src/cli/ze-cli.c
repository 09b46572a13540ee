/* ze-cli.c: ziti-enroll-cli, the headless command (core only, no GTK)
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>

#include "ze-cli-private.h"

#define EXIT_STATUS_HELP \
  N_("Exit status:\n" \
     "  0  success\n" \
     "  2  usage error\n" \
     "  3  bad or expired token\n" \
     "  4  trust failure (signature, fingerprint or certificate)\n" \
     "  5  the controller refused the enrollment\n" \
     "  6  network, TLS or timeout\n" \
     "  7  storage (keyring, token or file)\n" \
     "  8  cancelled\n")

static const struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "inspect", ze_cli_inspect, N_("Show what an enrollment token holds and whether it is usable") },
  { "enroll", ze_cli_enroll, N_("Enroll this computer with an enrollment token") },
  { "list", ze_cli_list, N_("List the enrolled identities") },
  { "export", ze_cli_export, N_("Write an identity, with its key, to a standard identity file") },
  { "delete", ze_cli_delete, N_("Remove an identity and its key") },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n  ziti-enroll-cli COMMAND [OPTION…]\n\n%s\n",
           _("Usage:"), _("Enroll this computer in an OpenZiti network with an enrollment token."));
  fprintf (stream, "\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n%s\n\n%s\n",
           _("TOKEN is the path of a .jwt file, “-” for standard input, or the token text."),
           _("Run “ziti-enroll-cli COMMAND --help” for the options of a command."),
           _(EXIT_STATUS_HELP));
}

int
ze_cli_usage_error (const char *command,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("ziti-enroll-cli%s%s: %s\n", command ? " " : "", command ? command : "", message);
  g_printerr (_("Run “ziti-enroll-cli%s%s --help” for usage.\n"),
              command ? " " : "", command ? command : "");

  return ZE_EXIT_USAGE;
}

/* Reads to the end of @in, or one byte past @limit, whichever comes first. */
static GBytes *
read_at_most (GInputStream  *in,
              gsize          limit,
              GError       **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  guint8 chunk[4096];

  while (buffer->len <= limit)
    {
      gssize n = g_input_stream_read (in, chunk, sizeof chunk, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;

      g_byte_array_append (buffer, chunk, n);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

/* TOKEN: "-" reads standard input; an existing path is read as a file;
 * anything else is taken as the token text itself. */
ZeToken *
ze_cli_load_token (const char *argument,
                   int        *exit_status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ZeToken) token = NULL;

  if (strcmp (argument, "-") == 0)
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      /* One byte more than the limit, so an oversized input is told apart. */
      bytes = read_at_most (in, ZE_TOKEN_MAX_SIZE, &error);
      if (bytes == NULL)
        {
          g_printerr (_("Could not read the token from standard input: %s\n"), error->message);
          *exit_status = ZE_EXIT_USAGE;
          return NULL;
        }
    }
  else if (g_file_test (argument, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argument);
      g_autoptr(GFileInputStream) in = g_file_read (file, NULL, &error);

      if (in == NULL ||
          !(bytes = read_at_most (G_INPUT_STREAM (in), ZE_TOKEN_MAX_SIZE, &error)))
        {
          g_printerr (_("Could not read the token file “%s”: %s\n"), argument, error->message);
          *exit_status = ZE_EXIT_USAGE;
          return NULL;
        }
    }
  else if (strchr (argument, '.') == NULL || strchr (argument, '/') != NULL)
    {
      /* Neither a file nor anything like a token: most likely a mistyped path. */
      g_printerr (_("There is no file “%s”, and it is not a token either. "
                    "Check the path of the .jwt file.\n"),
                  argument);
      *exit_status = ZE_EXIT_USAGE;
      return NULL;
    }
  else
    {
      bytes = g_bytes_new (argument, strlen (argument));
    }

  if (!(token = ze_token_new_from_bytes (bytes, &error)))
    {
      g_printerr ("%s\n", error->message);
      *exit_status = ze_error_exit_status (error);
      return NULL;
    }

  *exit_status = ZE_EXIT_OK;
  return g_steal_pointer (&token);
}

int
main (int   argc,
      char *argv[])
{
  const char *command;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return ZE_EXIT_USAGE;
    }

  command = argv[1];

  if (strcmp (command, "--help") == 0 || strcmp (command, "-h") == 0 ||
      strcmp (command, "help") == 0)
    {
      print_usage (stdout);
      return ZE_EXIT_OK;
    }

  if (strcmp (command, "--version") == 0)
    {
      g_print ("ziti-enroll-cli %s\n", PACKAGE_VERSION);
      return ZE_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (command, commands[i].name) == 0)
        return commands[i].run (argc - 1, argv + 1);
    }

  return ze_cli_usage_error (NULL, _("unknown command “%s”"), command);
}
