# Install rules (`cmake --install`) and the Debian package (`cpack -G DEB`).
#
# Layout under the prefix (/usr for the package, /usr/local by default):
#   sbin/portierd, bin/portierctl
#   share/portier/schema/{portier,mapping}.xsd, wsdl/, openapi/, examples/, mappings/
#   share/man/man8/portierd.8, share/man/man1/portierctl.1, share/doc/portier/
# and the unit and configuration (cmake/InstallSystemFiles.cmake): under /usr, as Debian wants
# them, /lib/systemd/system/portierd.service and /etc/portier/portier.xml (a conffile) with an
# empty /etc/portier/mappings; under another prefix, beneath it.
include(GNUInstallDirs)
# Installing (and cpack) takes the binaries as they are built, instead of building every target
# (the tests too) first: build portierd and portierctl, then install.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS portierd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS portierctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(share ${CMAKE_INSTALL_DATADIR}/portier)
install(FILES config/portier.xsd mappings/mapping.xsd DESTINATION ${share}/schema)
install(FILES adapters/soap/wsdl/portier-department-v1.wsdl DESTINATION ${share}/wsdl)
install(FILES core/model/department.thrift DESTINATION ${share}/thrift)
install(PROGRAMS docs/examples/thrift_department_client.py DESTINATION ${share}/examples)
install(FILES adapters/rest/openapi.yaml DESTINATION ${share}/openapi)
install(FILES config/portier.example.xml DESTINATION ${share}/examples)
install(FILES mappings/betreibungsamt.xml mappings/mfk.xml mappings/steueramt.xml
        DESTINATION ${share}/mappings)
install(FILES docs/man/portierd.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES docs/man/portierctl.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md docs/operations.md docs/scale-out.md docs/integrator-guide.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(CODE "set(PORTIER_SOURCE_DIR [[${PROJECT_SOURCE_DIR}]])
              set(PORTIER_BINARY_DIR [[${PROJECT_BINARY_DIR}]])")
install(SCRIPT cmake/InstallSystemFiles.cmake)

# The Debian package: `cpack --config build/CPackConfig.cmake` (deploy/package/README.md).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME portier)
set(CPACK_PACKAGE_VENDOR "Portier")
set(CPACK_PACKAGE_CONTACT "Portier maintainers <portier@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "back door of an e-government portal: SOAP/REST gateway with a durable journal")
set(CPACK_PACKAGE_INSTALL_DIRECTORY /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared libraries by dpkg-shlibdeps (dpkg-dev); qpdf is started as a child, not linked;
# adduser creates the system user in postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qpdf, adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/package/postinst
    ${PROJECT_SOURCE_DIR}/deploy/package/prerm
    ${PROJECT_SOURCE_DIR}/deploy/package/postrm
    ${PROJECT_SOURCE_DIR}/deploy/package/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
