#!/usr/bin/python3
"""The web console driven by real Chromium through the whole setup flow.

Starts the ClassLink simulator and `mock-host serve` on free ports, then, as
an admin would: installs ClassLink from the Integration Marketplace, connects
with credentials (a bad secret first: its sentence shows next to the secret
field), signs in with ClassLink Login through the browser redirect, chooses
fields with metadata on the Field Mapping page, syncs with live progress to
completion, reads the Users page, maps ITxM roles and locations, confirms a
held run, and checks that a hostile user name renders as text.  A screenshot
of each page goes to SCREENSHOTS (default build/screenshots).

Usage: console_flow.py BUILD_DIR   (exit 0 when every step passed)

The database is a new SQLite file in a temp folder, or, when MOCK_HOST_DB
is set (a PostgreSQL connection string, with MOCK_HOST_KEY_FILE), that
empty database: the same flow on the other backend.
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SHOTS = os.environ.get("SCREENSHOTS", os.path.join(BUILD, "screenshots"))
HOSTILE = "<script>alert(1)</script>"
USERS = 60

steps = []


def step(name):
    print("browser: " + name, flush=True)
    steps.append(name)


def start_simulator(work):
    port_file = os.path.join(work, "sim.port")
    sim = subprocess.Popen([os.path.join(BUILD, "classlink-sim"), "--port", "0", "--port-file",
                            port_file, "--users", str(USERS), "--schools", "3"],
                           stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(port_file) and open(port_file).read().strip():
            return sim, int(open(port_file).read().strip())
        time.sleep(0.05)
    raise SystemExit("the simulator did not start")


def start_console(work, sim_port):
    env = dict(os.environ)
    base = "http://127.0.0.1:%d" % sim_port
    env.update({"CLASSLINK_CLIENT_ID": "lp-client", "CLASSLINK_CLIENT_SECRET": "lp-secret",
                "CLASSLINK_PARTNER_KEY": "partner-key", "CLASSLINK_ALLOWED_DOMAINS": "127.0.0.1",
                "CLASSLINK_LAUNCHPAD_URL": base, "CLASSLINK_NODEAPI_URL": base,
                "CLASSLINK_PROXY_URL": base, "MOCK_HOST_PLUGINS": BUILD})
    db = os.environ.get("MOCK_HOST_DB") or os.path.join(work, "host.db")
    env["MOCK_HOST_DB"] = db
    log = open(os.path.join(work, "serve.log"), "w")
    con = subprocess.Popen([os.path.join(BUILD, "mock-host"), "serve", "--port", "0"],
                           env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    line = con.stdout.readline()
    m = re.match(r"Console: (http://\S+)/ ", line)
    if not m:
        raise SystemExit("mock-host serve printed no URL: %r" % line)
    return con, m.group(1), db


def set_hostile_name(db):
    """As if the district had sent it: one active user's given name."""
    where = "sourced_id = (SELECT min(sourced_id) FROM users WHERE active = 1)"
    if os.path.isabs(db):
        with sqlite3.connect(db, timeout=10) as c:
            c.execute("UPDATE users SET given_name = ? WHERE " + where, (HOSTILE,))
    else:
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c",
                        "UPDATE users SET given_name = '%s' WHERE %s" % (HOSTILE, where)],
                       check=True, stdout=subprocess.DEVNULL)


def browser():
    opts = webdriver.ChromeOptions()
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--window-size=1280,1000",
              "--user-data-dir=" + tempfile.mkdtemp(prefix="console-chromium-")]:
        opts.add_argument(a)
    opts.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def main():
    os.makedirs(SHOTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="console-browser-")
    sim, sim_port = start_simulator(work)
    con, url, db = start_console(work, sim_port)
    drv = browser()
    # A page being replaced may answer with transient errors: keep waiting.
    wait = WebDriverWait(drv, 30, ignored_exceptions=(WebDriverException,))

    def shot(name):
        drv.save_screenshot(os.path.join(SHOTS, name + ".png"))

    def by(css):
        return drv.find_element(By.CSS_SELECTOR, css)

    def text(css):
        return by(css).text

    def submit(css, within=None):
        """Clicks a form's button and waits for the page the POST leads to."""
        old = drv.find_element(By.TAG_NAME, "html")
        (within.find_element(By.CSS_SELECTOR, css) if within is not None else by(css)).click()
        wait.until(EC.staleness_of(old))

    def run_job(button_css):
        """Clicks a button that starts a sync and waits for its end (the
        page's script polls the job, then reloads with its outcome)."""
        old = drv.find_elements(By.CSS_SELECTOR, "#job-state")
        by(button_css).click()
        if old:
            wait.until(EC.staleness_of(old[0]))
        WebDriverWait(drv, 90, ignored_exceptions=(WebDriverException,)).until(
            lambda d: "Finished" in d.find_element(By.CSS_SELECTOR, "#job-state").text and
            d.find_element(By.CSS_SELECTOR, "#job").get_attribute("data-running") == "0")

    try:
        step("Integration Marketplace lists ClassLink under SIS with an Install button")
        drv.get(url + "/marketplace")
        assert "ClassLink SIS" in text("#plugin-classlink"), text("main")
        shot("01-marketplace")
        by("#plugin-classlink input[name=itxm]").click()
        submit("#plugin-classlink button[type=submit]")
        wait.until(EC.url_contains("/apps/classlink/setup"))
        assert "Installed ClassLink SIS" in text("main .notice"), text("main")
        shot("02-setup-installed")

        step("a wrong secret is refused next to the secret field, nothing saved")
        by("#cred-server").send_keys("http://127.0.0.1:%d" % sim_port)
        by("#cred-client_id").send_keys("sim-client")
        by("#cred-client_secret").send_keys("not-the-secret")
        submit("#connect")
        err = wait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".error[data-field=client_secret]")))
        assert "could not connect classlink" in err.text, err.text
        assert "not-the-secret" not in drv.page_source  # write-only, never sent back
        assert by("#cred-client_secret").get_attribute("value") == ""
        assert by("#cred-server").get_attribute("value") == "http://127.0.0.1:%d" % sim_port
        assert text("#connection") == "not connected"
        shot("03-setup-bad-secret")

        step("the right secret connects")
        by("#cred-client_secret").send_keys("sim-secret")
        submit("#connect")
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#connection"), "connected"))
        assert "Connected classlink" in text("main .notice"), text("main")
        assert "sim-secret" not in drv.page_source
        shot("04-setup-connected")

        step("ClassLink Login: a real redirect through LaunchPad and back to /callback")
        by("#login").click()
        outcome = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#login-outcome")))
        assert drv.current_url.startswith(url + "/apps/classlink/setup"), drv.current_url
        assert "Connected classlink" in outcome.text, outcome.text
        shot("05-setup-login")

        step("Field Mapping: read the fields, show metadata, choose fields for students")
        drv.get(url + "/apps/classlink/fields")
        submit("#discover")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#role-student")))
        submit("#metadata-toggle")
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#metadata-state"), "shown"))
        boxes = drv.find_elements(By.CSS_SELECTOR, "#role-student input[type=checkbox]")
        meta = [b for b in boxes if b.get_attribute("value").startswith("metadata.")]
        assert meta, "the catalogue has metadata fields for students"
        for b in boxes:
            if b.is_selected():
                b.click()
        meta_path = meta[0].get_attribute("value")
        chosen = ["givenName", "email", meta_path]
        for b in boxes:
            if b.get_attribute("value") in chosen:
                b.click()
        submit("#save-student")
        note = wait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, "[data-field='role.student']")))
        assert "error" not in note.get_attribute("class"), note.text
        shot("06-field-mapping")

        step("Sync: a full run with live progress to completion")
        drv.get(url + "/apps/classlink/sync")
        by("#mode-full").click()
        run_job("#sync-now")
        assert "Finished: done." in text("#job-state"), text("#job")
        assert "complete" in text("#runs"), text("#runs")
        shot("07-sync-done")

        step("Users: synced users with the chosen fields")
        drv.get(url + "/users?app=classlink&role=student")
        rows = drv.find_elements(By.CSS_SELECTOR, "#users tr.user")
        assert rows, "students on the Users page"
        fields = rows[0].find_element(By.CSS_SELECTOR, "td.fields").text
        assert "givenName" in fields and meta_path in fields, fields
        shot("08-users")

        step("Role Mapping: add a portal role, map students to it")
        drv.get(url + "/apps/classlink/roles")
        assert "Unmapped" in text("#unmapped"), text("#unmapped")
        by("#add-portal-roles").send_keys("Student")
        submit("#add-portal-roles-button")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#sisrole-student select")))
        by("#add-portal-roles").send_keys(HOSTILE)  # the admin's own words are escaped too
        submit("#add-portal-roles-button")
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#list-portal-roles"), HOSTILE))
        sel = by("#sisrole-student select")
        for o in sel.find_elements(By.TAG_NAME, "option"):
            if o.get_attribute("value") == "Student":
                o.click()
        submit("#map-student")
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#sisrole-student .mapped"),
                                                    "Student"))
        shot("09-role-mapping")

        step("Location Mapping: add a location, map the first org to it")
        drv.get(url + "/apps/classlink/locations")
        by("#add-locations").send_keys("Lincoln Elementary")
        submit("#add-locations-button")
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#list-locations"),
                                                    "Lincoln Elementary"))
        row = drv.find_elements(By.CSS_SELECTOR, "#orgs tr[id^=org-]")[0]
        org = row.get_attribute("id")[4:]
        for o in row.find_elements(By.CSS_SELECTOR, "select option"):
            if o.get_attribute("value") == "Lincoln Elementary":
                o.click()
        submit("button", within=row)
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#org-%s .mapped" % org),
                                                    "Lincoln Elementary"))
        shot("10-location-mapping")
        drv.get(url + "/users?app=classlink&role=student")
        assert text("#users tr.user td.portal-role") == "Student", text("#users")

        step("a hold: half the district vanishes, the run is held, Confirm applies it")
        urlopen_sim(sim_port, "/_sim/mutate?remove=%d" % (USERS // 2))
        drv.get(url + "/apps/classlink/sync")
        by("#mode-full").click()
        run_job("#sync-now")
        hold = by("#hold")
        assert "held" in hold.text, hold.text
        shot("11-sync-held")
        drv.get(url + "/apps")
        assert "held" in text("#app-classlink"), text("#app-classlink")
        shot("12-installed-apps-held")
        drv.get(url + "/apps/classlink/sync")
        run_job("#confirm")
        assert "Finished: done." in text("#job-state"), text("#job")
        assert not drv.find_elements(By.CSS_SELECTOR, "#hold")
        shot("13-sync-confirmed")
        drv.get(url + "/users?app=classlink&status=inactive")
        assert drv.find_elements(By.CSS_SELECTOR, "#users tr.user"), "deactivated users listed"

        step("a hostile name from the district renders as text")
        set_hostile_name(db)
        drv.get(url + "/users?q=script")
        name = text("#users tr.user td.name")
        assert name.startswith(HOSTILE), name
        try:
            drv.switch_to.alert
            raise AssertionError("the hostile name ran as a script")
        except NoAlertPresentException:
            pass
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drv.page_source
        shot("14-users-hostile-name")

        step("Installed Apps shows the card connected with its last run")
        drv.get(url + "/apps")
        assert "connected" in text("#app-classlink") and "complete" in text("#app-classlink")
        shot("15-installed-apps")
    except Exception:
        shot("failure")
        print("browser: failed at %r on %s\n%s" % (steps[-1] if steps else "start", drv.current_url,
                                                    drv.find_element(By.TAG_NAME, "body").text[:3000]))
        raise
    finally:
        drv.quit()
        con.terminate()
        try:
            con.wait(timeout=20)
        except subprocess.TimeoutExpired:
            con.kill()
        sim.stdin.close()
        sim.wait(timeout=10)
    if con.returncode != 0:
        raise SystemExit("mock-host serve exited %s on SIGTERM" % con.returncode)
    print("browser: %d steps passed; screenshots in %s" % (len(steps), SHOTS))


def urlopen_sim(port, path):
    import urllib.request
    urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10).read()


if __name__ == "__main__":
    main()
