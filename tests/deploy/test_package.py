"""The Debian package as CPack builds it: control fields (dependencies found by
dpkg-shlibdeps), the files it installs, the maintainer scripts, the systemd unit with the
installed paths, man pages that mandoc reads without a warning, and the packaged portierctl
passing the packaged configuration. Installing it into a fresh Debian root and starting
portierd there is deploy/package/test-install.sh (too long for every run)."""
import glob
import os
import subprocess
import tempfile

import pytest

BUILD = os.environ.get("PORTIER_BIN_DIR", os.path.join(os.path.dirname(__file__), "../../build"))


def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs).stdout


@pytest.fixture(scope="module")
def package():
    with tempfile.TemporaryDirectory(prefix="portier-package-") as out:
        run("cpack", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", out)
        debs = glob.glob(os.path.join(out, "*.deb"))
        assert len(debs) == 1, debs
        root = os.path.join(out, "root")
        run("dpkg-deb", "-x", debs[0], root)
        control = os.path.join(out, "control")
        run("dpkg-deb", "-e", debs[0], control)
        yield {"deb": debs[0], "root": root, "control": control}


def field(deb, name):
    return run("dpkg-deb", "-f", deb, name).strip()


def test_control_fields_name_the_runtime_libraries(package):
    deb = package["deb"]
    assert field(deb, "Package") == "portier"
    assert field(deb, "Architecture") == run("dpkg", "--print-architecture").strip()
    depends = [d.strip().split(" ")[0] for d in field(deb, "Depends").split(",")]
    for needed in ("libc6", "libssl3", "libsqlite3-0", "libpq5", "libxml2", "libcurl4",
                   "libgmime-3.0-0", "qpdf", "adduser"):
        assert needed in depends, f"{needed} missing from Depends: {depends}"
    size_kib = os.path.getsize(deb) // 1024
    print(f"package {os.path.basename(deb)}: {size_kib} KiB")


def test_contents_are_where_the_docs_say(package):
    root = package["root"]
    for path in ("usr/sbin/portierd", "usr/bin/portierctl",
                 "usr/share/portier/schema/portier.xsd", "usr/share/portier/schema/mapping.xsd",
                 "usr/share/portier/wsdl/portier-department-v1.wsdl",
                 "usr/share/portier/thrift/department.thrift",
                 "usr/share/portier/openapi/openapi.yaml",
                 "usr/share/portier/examples/portier.example.xml",
                 "usr/share/portier/mappings/steueramt.xml",
                 "usr/share/man/man8/portierd.8", "usr/share/man/man1/portierctl.1",
                 "usr/share/doc/portier/operations.md",
                 "lib/systemd/system/portierd.service", "etc/portier/portier.xml"):
        assert os.path.exists(os.path.join(root, path)), path
    assert os.path.isdir(os.path.join(root, "etc/portier/mappings"))
    for binary in ("usr/sbin/portierd", "usr/bin/portierctl"):
        assert os.access(os.path.join(root, binary), os.X_OK)
        # Stripped: the package carries no debug information.
        assert ".debug_info" not in run("objdump", "-h", os.path.join(root, binary))


def test_maintainer_scripts_create_the_user_and_mark_the_conffile(package):
    control = package["control"]
    with open(os.path.join(control, "postinst")) as f:
        postinst = f.read()
    assert "adduser --system" in postinst and "portier" in postinst
    with open(os.path.join(control, "conffiles")) as f:
        assert "/etc/portier/portier.xml" in f.read().split()
    for script in ("postinst", "prerm", "postrm"):
        assert os.access(os.path.join(control, script), os.X_OK)
        run("sh", "-n", os.path.join(control, script))


def test_unit_checks_the_configuration_reloads_and_is_hardened(package):
    with open(os.path.join(package["root"], "lib/systemd/system/portierd.service")) as f:
        unit = f.read()
    lines = {line.split("=", 1)[0]: line.split("=", 1)[1]
             for line in unit.splitlines() if "=" in line and not line.startswith("#")}
    assert lines["ExecStartPre"] == "/usr/bin/portierctl check /etc/portier/portier.xml"
    assert lines["ExecStart"] == "/usr/sbin/portierd --config /etc/portier/portier.xml"
    assert lines["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert lines["Documentation"] == "man:portierd(8) man:portierctl(1)"
    for option, value in (("ProtectSystem", "strict"), ("PrivateTmp", "yes"),
                          ("CapabilityBoundingSet", ""), ("NoNewPrivileges", "yes"),
                          ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
                          ("User", "portier"), ("ReadWritePaths", "/var/lib/portier")):
        assert lines.get(option) == value, option
    assert "SystemCallFilter=@system-service" in unit
    assert "@PORTIER_" not in unit, "a placeholder was left unfilled"


def test_man_pages_render_without_warnings(package):
    man = os.path.join(package["root"], "usr/share/man")
    for page in ("man8/portierd.8", "man1/portierctl.1"):
        result = subprocess.run(["mandoc", "-Tlint", "-Wwarning", os.path.join(man, page)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_packaged_portierctl_passes_the_packaged_configuration(package):
    root = package["root"]
    # The secrets the packaged configuration and the example mappings name.
    env = dict(os.environ, PORTIER_PORTAL_SECRET="change-me", PORTIER_STEUERAMT_SECRET="s",
               PORTIER_BETREIBUNGSAMT_SECRET="b")
    # The configuration names /etc/portier/mappings; point it at the package's own copy.
    with open(os.path.join(root, "etc/portier/portier.xml")) as f:
        config = f.read().replace("/etc/portier/mappings", os.path.join(root, "etc/portier/mappings"))
    path = os.path.join(root, "portier-check.xml")
    with open(path, "w") as f:
        f.write(config)
    result = subprocess.run([os.path.join(root, "usr/bin/portierctl"), "check", path,
                             os.path.join(root, "usr/share/portier/mappings")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
