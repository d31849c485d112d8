file(REMOVE_RECURSE
  "CMakeFiles/portier_base.dir/clock.cpp.o"
  "CMakeFiles/portier_base.dir/clock.cpp.o.d"
  "CMakeFiles/portier_base.dir/digest.cpp.o"
  "CMakeFiles/portier_base.dir/digest.cpp.o.d"
  "CMakeFiles/portier_base.dir/log.cpp.o"
  "CMakeFiles/portier_base.dir/log.cpp.o.d"
  "CMakeFiles/portier_base.dir/metrics.cpp.o"
  "CMakeFiles/portier_base.dir/metrics.cpp.o.d"
  "CMakeFiles/portier_base.dir/status.cpp.o"
  "CMakeFiles/portier_base.dir/status.cpp.o.d"
  "libportier_base.a"
  "libportier_base.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/portier_base.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
