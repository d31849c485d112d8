file(REMOVE_RECURSE
  "CMakeFiles/portier_model.dir/codec.cpp.o"
  "CMakeFiles/portier_model.dir/codec.cpp.o.d"
  "libportier_model.a"
  "libportier_model.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/portier_model.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
