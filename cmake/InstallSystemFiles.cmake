# Runs at install time (install(SCRIPT) in PortierInstall.cmake): the files whose place or
# content depends on the prefix the installation finally has, which is only known now
# (`cmake --install --prefix P`, or /usr inside `cpack`). Installed under /usr, they go where
# Debian wants them: the unit to /lib/systemd/system, the configuration to /etc/portier;
# under any other prefix, beneath it. DESTDIR applies as to every other file.
# Needs PORTIER_SOURCE_DIR and PORTIER_BINARY_DIR.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(config_dir /etc/portier)
  set(unit_dir /lib/systemd/system)
else()
  set(config_dir ${CMAKE_INSTALL_PREFIX}/etc/portier)
  set(unit_dir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()

set(PORTIER_CONFIG_DIR ${config_dir})
set(PORTIER_PORTIERD ${CMAKE_INSTALL_PREFIX}/sbin/portierd)
set(PORTIER_PORTIERCTL ${CMAKE_INSTALL_PREFIX}/bin/portierctl)
set(unit ${PORTIER_BINARY_DIR}/deploy/portierd.service)
configure_file(${PORTIER_SOURCE_DIR}/deploy/systemd/portierd.service.in ${unit} @ONLY)

file(INSTALL ${unit} DESTINATION ${unit_dir})
file(INSTALL ${PORTIER_SOURCE_DIR}/deploy/package/portier.xml DESTINATION ${config_dir})
file(MAKE_DIRECTORY $ENV{DESTDIR}${config_dir}/mappings)
