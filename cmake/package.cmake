# `make deb`: paygate_<version>_amd64.deb from this build (CPack's DEB
# generator). Its dependencies are computed from the binary by
# dpkg-shlibdeps; the rest (maintainer scripts, units, settings) is in
# packaging/. Files outside /usr are installed by absolute path, so a plain
# `cmake --install` is only for packaging (DESTDIR), not onto a live system.
include(GNUInstallDirs)

set(PAYGATE_PACKAGING ${CMAKE_SOURCE_DIR}/packaging)
set(PAYGATE_PACKAGE_DOCS ${CMAKE_BINARY_DIR}/package-docs)

install(TARGETS paygate RUNTIME DESTINATION bin)
install(FILES ${PAYGATE_PACKAGING}/paygate.service ${PAYGATE_PACKAGING}/paygate-worker.service
        DESTINATION /lib/systemd/system)
install(FILES ${PAYGATE_PACKAGING}/paygate.env DESTINATION /etc/paygate
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# Debian wants the man page and changelog compressed without timestamps.
add_custom_command(
  OUTPUT ${PAYGATE_PACKAGE_DOCS}/paygate.1.gz ${PAYGATE_PACKAGE_DOCS}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PAYGATE_PACKAGE_DOCS}
  COMMAND gzip -9nc ${PAYGATE_PACKAGING}/paygate.1 > ${PAYGATE_PACKAGE_DOCS}/paygate.1.gz
  COMMAND gzip -9nc ${PAYGATE_PACKAGING}/debian/changelog > ${PAYGATE_PACKAGE_DOCS}/changelog.gz
  DEPENDS ${PAYGATE_PACKAGING}/paygate.1 ${PAYGATE_PACKAGING}/debian/changelog
  VERBATIM)
add_custom_target(paygate_package_docs ALL  # cheap; `cmake --install` needs it
  DEPENDS ${PAYGATE_PACKAGE_DOCS}/paygate.1.gz ${PAYGATE_PACKAGE_DOCS}/changelog.gz)
install(FILES ${PAYGATE_PACKAGE_DOCS}/paygate.1.gz DESTINATION share/man/man1)
install(FILES ${PAYGATE_PACKAGE_DOCS}/changelog.gz ${PAYGATE_PACKAGING}/debian/copyright
              ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/DEPLOYMENT.md
              ${CMAKE_SOURCE_DIR}/docs/API.md ${CMAKE_SOURCE_DIR}/docs/SECURITY.md
        DESTINATION share/doc/paygate)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME paygate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # paygate_<version>_<arch>.deb
set(CPACK_PACKAGE_CONTACT "paygate maintainers <maintainers@paygate.example>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://paygate.example")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "self-hosted payment gateway server")
# CPack puts the summary first itself: the description is the rest.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "paygate serves a REST API with which merchants create orders, take card and
UPI payments, capture and refund them, and receive signed webhooks; shoppers
pay on its hosted checkout page. It keeps its data in SQLite or PostgreSQL.
.
This package runs it as paygate.service (API and job workers) and
paygate-worker.service (job workers only, for a second host), hardened
systemd units with readiness notification and a watchdog.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Beside what dpkg-shlibdeps finds: the maintainer scripts' tools.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PAYGATE_PACKAGING}/debian/postinst ${PAYGATE_PACKAGING}/debian/prerm
    ${PAYGATE_PACKAGING}/debian/postrm ${PAYGATE_PACKAGING}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
