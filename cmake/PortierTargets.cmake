# portier_library(NAME SOURCES... [DEPS ...]): one static library per folder, with the
# house warnings. Generated code gets its own target without them (see STYLE.md, 13).
# A tree built by another compiler for a narrower purpose (the fuzz preset) may set its own.
if(NOT DEFINED PORTIER_WARNINGS)
  set(PORTIER_WARNINGS -Wall -Wextra -Werror)
endif()

function(portier_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${PORTIER_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

function(portier_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${PORTIER_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# portier_embed(OUT_VAR INPUT SYMBOL): generates a source defining `std::string_view SYMBOL()`
# with INPUT's bytes, and puts its path in OUT_VAR for a target's SOURCES.
function(portier_embed out_var input symbol)
  get_filename_component(name ${input} NAME)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DNAME=${name} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake
    COMMENT "Embedding ${name}")
  set(${out_var} ${output} PARENT_SCOPE)
endfunction()
