#!/usr/bin/python3
"""End to end, as a person would: the real ziti-enroll driven over AT-SPI (dogtail).

usage: e2e-atspi.py APP CONTROLLER   (inside tests/headless/run-headless.sh --keyring)
Opens a fresh token, reads the code shown, compares it with the controller
certificate's SHA-256, ticks the comparison, trusts, enrolls with the default
store, reaches Done, and finds the key in the keyring. Prints TAP.
"""
import base64, hashlib, os, subprocess, sys, tempfile, time

from dogtail.config import config
config.checkForA11y = False
config.logDebugToFile = False
config.logDebugToStdOut = False
config.searchCutoffCount = 40
config.actionDelay = 0.1
from dogtail import rawinput, tree

app_path, controller = sys.argv[1], sys.argv[2]
n = 0
failed = 0

def check(what, ok, detail=""):
    global n, failed
    n += 1
    failed += not ok
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, what) + ("" if ok else " # " + detail))

work = tempfile.mkdtemp(prefix="ze-atspi-")
ctl_dir = os.path.join(work, "controller")
subprocess.run([controller, "init", ctl_dir], check=True, stdout=subprocess.DEVNULL)
server = subprocess.Popen([controller, "serve", ctl_dir, "--port", "0"], stdout=subprocess.PIPE, text=True)
app = None
try:
    line = server.stdout.readline()
    assert line.startswith("listening on "), line
    token = os.path.join(work, "atspi-laptop.jwt")
    subprocess.run([controller, "token", ctl_dir, "--method", "ott", "--out", token], check=True)

    pem = open(os.path.join(ctl_dir, "server.pem")).read()
    body = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    digest = hashlib.sha256(base64.b64decode("".join(body.split()))).hexdigest().upper()
    short = " ".join(digest[i:i + 4] for i in range(0, 16, 4))

    env = dict(os.environ, GTK_A11Y="atspi")
    app = subprocess.Popen([app_path, token], env=env)
    ui = tree.root.application("ziti-enroll")

    # GTK 4.8 names a button "MNEMONIC LABEL": match by predicate.
    def find(role, test):
        return ui.findChild(lambda x: x.roleName == role and test(x.name or ""), retry=True)

    def activate(node):
        actions = list(node.actions.keys())
        if actions:
            node.doActionNamed("click" if "click" in actions else actions[0])
        else:   # GTK 4.8 check buttons offer no action: click it, as a person would
            node.click()

    pairs = ":".join(digest[i:i + 2] for i in range(0, 64, 2))
    code = find("label", lambda name: short in name)
    check("the read-aloud code on screen is the controller certificate's SHA-256 (%s)" % short,
          code is not None)
    full = find("label", lambda name: name.replace("\n", "").replace(" ", "") == pairs)
    check("the full fingerprint on screen equals the certificate's SHA-256", full is not None)

    activate(find("check box", lambda name: name.startswith("I compared the code")))
    activate(find("push button", lambda name: name.endswith("Trust and Continue")))
    enroll = find("push button", lambda name: name.endswith("Enroll"))
    check("trusting leads to the options", enroll is not None)
    activate(enroll)

    done = find("label", lambda name: name == "This Computer Is Enrolled")
    check("the enrollment reaches Done", done is not None)

    out = subprocess.run(["secret-tool", "search", "--all", "identity", "atspi-laptop"],
                         capture_output=True, text=True).stdout
    check("the key is in the keyring", "PRIVATE KEY" in out, out[:200])
except Exception as e:   # a SearchError is a failure, not a crash
    check("the flow completed", False, repr(e))
finally:
    if app is not None:
        app.terminate()
        app.wait(timeout=10)
    server.terminate()
    server.wait(timeout=10)
    subprocess.run(["rm", "-rf", work])

print("1..%d" % n)
sys.exit(1 if failed else 0)
