file(REMOVE_RECURSE
  "CMakeFiles/portier_model_generated.dir/gen-cpp/portier_types.cpp.o"
  "CMakeFiles/portier_model_generated.dir/gen-cpp/portier_types.cpp.o.d"
  "gen-cpp/portier_types.cpp"
  "gen-cpp/portier_types.h"
  "libportier_model_generated.a"
  "libportier_model_generated.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/portier_model_generated.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
