#!/usr/bin/python3
"""WebKitGTK for the browser tests: the browser WebKitWebDriver drives
(e2e/webkit.ts), on a profile that is kept.

WebKitWebDriver starts a browser binary and drives it through WebKit's
remote inspector. MiniBrowser --automation keeps nothing (its website data
is ephemeral), so a test could not restart the browser on its profile or
crash it and look at what is left; and WebDriver classic has no downloads,
scripts run before a page's own, or offline mode. This is MiniBrowser's
automation mode with the profile on disk, and those three done here:

- what it tells the test is a line on stdout, "OVERBOX {json}" (the
  driver's stdout, where the pages' console messages go too): a download
  that finished ({"download": {"filename", "path"}}), and the answer to
  each command ({"done": id});
- it takes commands from the named pipe --control, one JSON object a
  line: {"id", "initScript": source} (run in every frame of every later
  page before its own scripts), {"id", "offline": bool} (every request
  through a proxy that is not there, or back to none).

  webkit-browser.py --profile DIR --control FIFO [--features +A,+B,-C]
"""
import argparse
import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--profile", required=True)
parser.add_argument("--control", required=True)
parser.add_argument("--features", default="")
parser.add_argument("--automation", action="store_true")  # WebKitWebDriver's; always on here
options, _ = parser.parse_known_args()

manager = WebKit2.WebsiteDataManager(
    base_data_directory=f"{options.profile}/data",
    base_cache_directory=f"{options.profile}/cache",
)
context = WebKit2.WebContext(website_data_manager=manager)
context.set_automation_allowed(True)

settings = WebKit2.Settings()
settings.set_enable_write_console_messages_to_stdout(True)
settings.set_javascript_can_access_clipboard(True)
settings.set_enable_developer_extras(True)
wanted = {}
for feature in filter(None, options.features.split(",")):
    wanted[feature[1:]] = feature[0] == "+"
known = WebKit2.Settings.get_all_features()
for i in range(known.get_length()):
    feature = known.get(i)
    if feature.get_identifier() in wanted:
        settings.set_feature_enabled(feature, wanted.pop(feature.get_identifier()))
if wanted:
    sys.exit(f"webkit-browser.py: no such WebKit feature: {', '.join(wanted)}")


def tell(event):
    print("OVERBOX " + json.dumps(event), flush=True)


scripts = WebKit2.UserContentManager()
downloads = os.path.join(options.profile, "downloads")
os.makedirs(downloads, exist_ok=True)


def download_started(_context, download):
    def destination(d, suggested):
        d.set_destination(GLib.filename_to_uri(os.path.join(downloads, suggested)))
        return True

    def finished(d):
        path = GLib.filename_from_uri(d.get_destination())[0]
        tell({"download": {"filename": os.path.basename(path), "path": path}})

    download.connect("decide-destination", destination)
    download.connect("finished", finished)


context.connect("download-started", download_started)


def command(line):
    order = json.loads(line)
    if "initScript" in order:
        scripts.add_script(
            WebKit2.UserScript(
                order["initScript"],
                WebKit2.UserContentInjectedFrames.ALL_FRAMES,
                WebKit2.UserScriptInjectionTime.START,
                None,
                None,
            )
        )
    elif "offline" in order:
        if order["offline"]:
            proxy = WebKit2.NetworkProxySettings.new("http://127.0.0.1:9", None)
            manager.set_network_proxy_settings(WebKit2.NetworkProxyMode.CUSTOM, proxy)
        else:
            manager.set_network_proxy_settings(WebKit2.NetworkProxyMode.NO_PROXY, None)
    tell({"done": order["id"]})


# Opened for reading and writing, so that opening does not wait for a writer.
control = os.fdopen(os.open(options.control, os.O_RDWR | os.O_NONBLOCK), "rb", buffering=0)
pending = b""


def readable(_fd, _condition):
    global pending
    pending += control.read() or b""
    *lines, pending = pending.split(b"\n")
    for line in lines:
        command(line.decode())
    return True


GLib.io_add_watch(control.fileno(), GLib.IO_IN, readable)

windows = []


def new_view(related=None):
    """A window with a web view the automation session controls."""
    view = WebKit2.WebView(
        web_context=context,
        settings=settings,
        is_controlled_by_automation=True,
        user_content_manager=scripts,
        **({"related_view": related} if related is not None else {}),
    )
    window = Gtk.Window()
    window.set_default_size(1280, 800)
    window.add(view)
    view.connect("close", lambda v: (window.destroy(), windows.remove(window)))
    # window.open() from a page: a new window of the session.
    view.connect("create", lambda v, action: new_view(v))
    view.connect("ready-to-show", lambda v: window.show_all())
    window.show_all()
    windows.append(window)
    return view


def started(_context, session):
    info = WebKit2.ApplicationInfo()
    info.set_name("overbox-webkit")
    info.set_version(1, 0, 0)
    session.set_application_info(info)
    session.connect("create-web-view", lambda s: new_view())


context.connect("automation-started", started)
Gtk.main()
