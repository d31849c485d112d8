
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/core/base/clock.cpp" "core/base/CMakeFiles/portier_base.dir/clock.cpp.o" "gcc" "core/base/CMakeFiles/portier_base.dir/clock.cpp.o.d"
  "/work/main/core/base/digest.cpp" "core/base/CMakeFiles/portier_base.dir/digest.cpp.o" "gcc" "core/base/CMakeFiles/portier_base.dir/digest.cpp.o.d"
  "/work/main/core/base/log.cpp" "core/base/CMakeFiles/portier_base.dir/log.cpp.o" "gcc" "core/base/CMakeFiles/portier_base.dir/log.cpp.o.d"
  "/work/main/core/base/metrics.cpp" "core/base/CMakeFiles/portier_base.dir/metrics.cpp.o" "gcc" "core/base/CMakeFiles/portier_base.dir/metrics.cpp.o.d"
  "/work/main/core/base/status.cpp" "core/base/CMakeFiles/portier_base.dir/status.cpp.o" "gcc" "core/base/CMakeFiles/portier_base.dir/status.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
