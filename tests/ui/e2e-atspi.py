#!/usr/bin/python3
"""End to end, as a person would: the real ziti-enroll driven over AT-SPI (dogtail).

usage: e2e-atspi.py APP CONTROLLER   (inside tests/headless/run-headless.sh --keyring)

Everything is found the way a screen reader user or an outside script finds it: by
role and exact accessible name. Five runs of the app against one local controller:

  happy      open a token, read the code shown and compare it with the controller
             certificate's SHA-256, tick the comparison, trust, enroll with the
             default store, reach Done, find the key in the keyring, then the
             identity in the Identities window
  used       the same token again: the controller refuses it, the error page says so
  signature  a token signed by another key: the error page says the controller
             cannot be trusted, and nothing was sent
  expired    an expired token: the reason is on the Controller page and Trust and
             Continue cannot be pressed
  replace    a second token opened while one is open: the app asks, Replace opens it
  chooser    no token given: Open Token File…, type the path in GTK's file chooser
  keyboard   the keys alone: Space ticks, Alt+T trusts, Escape goes back, Enter enrolls

On every window it checks that each button, check box, text field and drop-down has
a name that reads like the words on screen, and that each button can be pressed by
its name. Prints TAP.
"""
import base64, hashlib, json, os, shutil, subprocess, sys, tempfile, time

from dogtail.config import config
config.checkForA11y = False
config.logDebugToFile = False
config.logDebugToStdOut = False
config.searchCutoffCount = 40
config.actionDelay = 0.1
from dogtail import rawinput, tree
import pyatspi

app_path, controller = sys.argv[1], sys.argv[2]
n = 0
failed = 0


def check(what, ok, detail=""):
    global n, failed
    n += 1
    failed += not ok
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, what) + ("" if ok else " # " + detail),
          flush=True)
    return ok


def wait_for(predicate, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            found = predicate()
            if found:
                return found
        except Exception:   # a node went away while we looked
            pass
        time.sleep(0.2)
    return None


def nodes(root, roles):
    """Every node under root with one of roles, hidden stack pages included."""
    found = []
    def walk(node):
        try:
            if node.roleName in roles:
                found.append(node)
            for child in node.children:
                walk(child)
        except Exception:
            pass
    walk(root)
    return found


def find(root, role, name, timeout=30):
    return wait_for(lambda: next((x for x in nodes(root, (role,)) if x.name == name), None),
                    timeout)


def find_text(root, test, timeout=30):
    return wait_for(lambda: next((x for x in nodes(root, ("label",)) if test(x.name or "")),
                                 None), timeout)


def sensitive(node):
    return node.getState().contains(pyatspi.STATE_SENSITIVE)


def press(node):
    node.doActionNamed("click")


def tick(node):
    # GTK 4.8 check buttons offer no action: click it, as a person would.
    node.click()


INTERACTIVE = ("push button", "toggle button", "check box", "radio button", "text",
               "password text", "combo box", "menu item")


def reads_well(name):
    words = name.split()
    half = len(words) // 2
    return (name.strip() != "" and "_" not in name and not name.startswith(("Gtk", "Adw"))
            and not (half > 0 and len(words) % 2 == 0 and words[:half] == words[half:]))


def check_names(root, where):
    """Each control is named by its words on screen and each button can be pressed by name."""
    controls = nodes(root, INTERACTIVE)
    bad = ["%s %r" % (x.roleName, x.name) for x in controls if not reads_well(x.name or "")]
    check("%s: %d controls, each named by the words on screen" % (where, len(controls)),
          controls and not bad, "; ".join(bad))
    buttons = {}
    for x in controls:
        if x.roleName == "push button":
            buttons.setdefault(x.name, []).append(x)
    unreachable = [name for name, found in buttons.items()
                   if not any("click" in x.actions for x in found)]
    check("%s: every button can be pressed by its name (%s)" % (where, ", ".join(sorted(buttons))),
          not unreachable, "no click action: " + ", ".join(unreachable))


class App:
    """One ziti-enroll process and its accessible application node."""

    def __init__(self, *args):
        self.process = subprocess.Popen([app_path, *args], env=dict(os.environ, GTK_A11Y="atspi"))
        pid = self.process.pid
        self.ui = wait_for(lambda: next((a for a in tree.root.applications()
                                         if a.name == "ziti-enroll" and a.get_process_id() == pid),
                                        None))
        if self.ui is None:
            raise RuntimeError("ziti-enroll did not show up on the accessibility bus")
        self.window = wait_for(lambda: next((w for w in self.ui.children
                                             if w.name == "Ziti Enroll"), None))

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=15)


def mint(ctl_dir, out, *extra):
    subprocess.run([controller, "token", ctl_dir, "--out", out, *extra], check=True)
    payload = open(out).read().split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def posts(ctl_dir):
    try:
        return sum(line.startswith("request POST") for line in open(os.path.join(ctl_dir, "access.log")))
    except FileNotFoundError:
        return 0


def identity_shown(app, subject):
    """The Controller page's Identity fact, once it shows @subject."""
    return wait_for(lambda: next((x for x in nodes(app.window, ("list item",))
                                  if x.name == "Identity" and x.description == subject), None))


def trust_and_enroll(app, where):
    tick(find(app.window, "check box", "I compared the code with the one my administrator gave me"))
    trust = find(app.window, "push button", "Trust and Continue")
    wait_for(lambda: sensitive(trust), 10)
    press(trust)
    enroll = find(app.window, "push button", "Enroll")
    if not check("%s: trusting leads to the options, with Enroll" % where, enroll is not None):
        return False
    check_names(app.window, "%s: options page" % where)
    wait_for(lambda: sensitive(enroll), 10)
    press(enroll)
    return True


work = tempfile.mkdtemp(prefix="ze-atspi-")
ctl_dir = os.path.join(work, "controller")
subprocess.run([controller, "init", ctl_dir], check=True, stdout=subprocess.DEVNULL)
server = subprocess.Popen([controller, "serve", ctl_dir, "--port", "0"], stdout=subprocess.PIPE,
                          text=True)
app = None


def scenario(name, body):
    global app
    try:
        body()
    except Exception as e:   # a search that found nothing is a failure, not a crash
        check("%s: the flow completed" % name, False, repr(e))
    finally:
        if app is not None:
            app.close()
            app = None


try:
    line = server.stdout.readline()
    assert line.startswith("listening on "), line

    pem = open(os.path.join(ctl_dir, "server.pem")).read()
    body = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    digest = hashlib.sha256(base64.b64decode("".join(body.split()))).hexdigest().upper()
    short = " ".join(digest[i:i + 4] for i in range(0, 16, 4))
    pairs = ":".join(digest[i:i + 2] for i in range(0, 64, 2))
    token = os.path.join(work, "atspi-laptop.jwt")
    mint(ctl_dir, token, "--method", "ott")

    def happy():
        global app
        app = App(token)
        w = app.window
        code = find_text(w, lambda name: short in name)
        check("happy: the read-aloud code on screen is the controller certificate's SHA-256 (%s)"
              % short, code is not None)
        full = find_text(w, lambda name: name == pairs)
        check("happy: the full fingerprint is named by the certificate's SHA-256 (%s)" % pairs,
              full is not None)
        text = full.queryText() if full is not None else None
        shown = text.getText(0, text.characterCount) if text is not None else ""
        check("happy: the fingerprint on screen is the same SHA-256, in lines of eight pairs",
              shown.replace("\n", "") == pairs and shown.count("\n") == 3, repr(shown))
        check_names(w, "happy: controller page")
        if not trust_and_enroll(app, "happy"):
            return
        done = find_text(w, lambda name: name == "This Computer Is Enrolled")
        check("happy: the enrollment reaches Done", done is not None)
        check_names(w, "happy: done page")

        out = subprocess.run(["secret-tool", "search", "--all", "identity", "atspi-laptop"],
                             capture_output=True, text=True).stdout
        check("happy: the key is in the keyring", "PRIVATE KEY" in out, out[:200])

        press(find(w, "push button", "Main Menu"))
        item = find(w, "menu item", "Identities", 10)
        check("happy: the main menu offers Identities", item is not None)
        check_names(w, "happy: main menu open")
        press(item)
        identities = wait_for(lambda: next((x for x in app.ui.children if x.name == "Identities"), None))
        check("happy: the Identities window opens", identities is not None)
        row = find_text(identities, lambda name: name == "atspi-laptop")
        check("happy: the Identities window lists the new identity", row is not None)
        check_names(identities, "happy: identities window")

    def used():
        global app
        again = os.path.join(work, "atspi-again.jwt")
        shutil.copy(token, again)
        app = App(again)
        if not trust_and_enroll(app, "used"):
            return
        title = find_text(app.window, lambda name: name == "The Controller Refused the Enrollment")
        check("used: the error page says the controller refused", title is not None)
        why = find_text(app.window, lambda name: "already used" in name)
        check("used: it says the token was already used and what to do",
              why is not None and "new token" in why.name)
        check("used: no retry is offered, Start Over is",
              find(app.window, "push button", "Try Again", 2) is None and
              find(app.window, "push button", "Start Over", 5) is not None)
        check_names(app.window, "used: error page")
        out = subprocess.run(["secret-tool", "search", "--all", "identity", "atspi-again"],
                             capture_output=True, text=True).stdout
        check("used: nothing is left in the keyring", "PRIVATE KEY" not in out, out[:200])
        press(find(app.window, "push button", "Start Over"))
        check("used: Start Over goes back to the Token page, its Next button",
              find(app.window, "push button", "Next", 10) is not None)

    def signature():
        global app
        forged = os.path.join(work, "atspi-forged.jwt")
        mint(ctl_dir, forged, "--method", "ott", "--signed-by", "other")
        before = posts(ctl_dir)
        app = App(forged)
        title = find_text(app.window, lambda name: name == "The Controller Cannot Be Trusted")
        check("signature: the error page says the controller cannot be trusted", title is not None)
        why = find_text(app.window, lambda name: "was not issued by the server" in name)
        check("signature: it says why and what to do", why is not None and "Do not enroll" in why.name)
        check("signature: there is nothing to trust",
              find(app.window, "push button", "Trust and Continue", 2) is None)
        check("signature: nothing was sent to the controller", posts(ctl_dir) == before)

    def expired():
        global app
        old = os.path.join(work, "atspi-expired.jwt")
        mint(ctl_dir, old, "--method", "ott", "--expires-in", "-60")
        app = App(old)
        why = find_text(app.window, lambda name: name.startswith("This token expired"))
        check("expired: the Controller page says the token expired and what to do",
              why is not None and "new one" in why.name)
        trust = find(app.window, "push button", "Trust and Continue")
        check("expired: Trust and Continue cannot be pressed",
              trust is not None and not sensitive(trust))

    def replace():
        global app
        first = os.path.join(work, "atspi-first.jwt")
        second = os.path.join(work, "atspi-second.jwt")
        mint(ctl_dir, first, "--method", "ott")
        claims = mint(ctl_dir, second, "--method", "ott")
        app = App(first)
        find(app.window, "check box", "I compared the code with the one my administrator gave me")
        subprocess.run([app_path, second], env=dict(os.environ, GTK_A11Y="atspi"), timeout=30)
        dialog = wait_for(lambda: next((x for x in app.ui.children
                                        if find_text(x, lambda t: t == "Replace the Current Enrollment?", 0.1)),
                                       None))
        check("replace: a second token asks before replacing the open one", dialog is not None)
        check_names(dialog, "replace: dialog")
        press(find(dialog, "push button", "Replace"))
        identity = identity_shown(app, claims["sub"])
        check("replace: Replace opens the second token", identity is not None)

    def chooser():
        global app
        picked = os.path.join(work, "atspi-picked.jwt")
        claims = mint(ctl_dir, picked, "--method", "ott")
        app = App()
        check_names(app.window, "chooser: token page")
        press(find(app.window, "push button", "Open Token File…"))
        dialog = wait_for(lambda: next((x for x in app.ui.children
                                        if x.name == "Open an Enrollment Token"), None))
        check("chooser: Open Token File… shows a file chooser", dialog is not None)
        # GTK's own dialog (no portal here) leaves many of its buttons unnamed in 4.8;
        # the two that answer it are named, as the app tidies them.
        check("chooser: its Open and Cancel buttons are named as they read",
              find(dialog, "push button", "Open", 5) is not None and
              find(dialog, "push button", "Cancel", 5) is not None)
        # Type the path, as a person would: Ctrl+L, the path, Enter.
        rawinput.keyCombo("<Control>l")
        rawinput.typeText(picked)
        rawinput.pressKey("Return")
        identity = identity_shown(app, claims["sub"])
        check("chooser: the chosen token opens on the Controller page", identity is not None)

    def keyboard():
        global app
        typed = os.path.join(work, "atspi-keyboard.jwt")
        mint(ctl_dir, typed, "--method", "ott")
        app = App(typed)
        w = app.window
        box = find(w, "check box", "I compared the code with the one my administrator gave me")
        wait_for(lambda: box.getState().contains(pyatspi.STATE_FOCUSED), 10)
        check("keyboard: the comparison has the focus once the certificate is shown",
              box.getState().contains(pyatspi.STATE_FOCUSED))
        rawinput.absoluteMotion(300, 300)   # no window manager: keys go under the pointer
        rawinput.pressKey("space")
        check("keyboard: Space ticks it",
              wait_for(lambda: box.getState().contains(pyatspi.STATE_CHECKED), 5) is not None)
        rawinput.keyCombo("<Alt>t")
        check("keyboard: Alt+T (Trust and Continue) leads to the options",
              find(w, "push button", "Enroll", 10) is not None)
        rawinput.pressKey("Escape")
        check("keyboard: Escape goes back to the Controller page",
              find(w, "push button", "Trust and Continue", 10) is not None)
        rawinput.keyCombo("<Alt>t")
        find(w, "push button", "Enroll", 10)
        rawinput.pressKey("Return")   # in the name field, which has the focus
        done = find_text(w, lambda name: name == "This Computer Is Enrolled")
        check("keyboard: Enter in the name field enrolls, to Done", done is not None)

    for name, body in (("happy", happy), ("used", used), ("signature", signature),
                       ("expired", expired), ("replace", replace), ("chooser", chooser),
                       ("keyboard", keyboard)):
        scenario(name, body)
finally:
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(work, ignore_errors=True)

print("1..%d" % n)
sys.exit(1 if failed else 0)
