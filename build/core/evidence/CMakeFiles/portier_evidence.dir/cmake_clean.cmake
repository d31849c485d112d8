file(REMOVE_RECURSE
  "CMakeFiles/portier_evidence.dir/chain.cpp.o"
  "CMakeFiles/portier_evidence.dir/chain.cpp.o.d"
  "libportier_evidence.a"
  "libportier_evidence.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/portier_evidence.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
