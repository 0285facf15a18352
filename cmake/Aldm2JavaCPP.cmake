# JavaCPP JNI glue for the aldm2 shim.
#
# The Java binding (java/src/main/java/io/github/audioldm4j/runtime/shim/Aldm2.java) is a small
# hand-written JavaCPP class. JavaCPP's Builder, run with -cpp ("generate only, do not compile"),
# turns its compiled .class files into two C++ files: jnialdm2.cpp (the JNI functions, which
# #include "aldm2.h" and call it) and jnijavacpp.cpp (JavaCPP's runtime support). This module runs
# that generator as a build step and compiles both files into the aldm2 library, so one
# libaldm2.so serves C callers and the JVM. They need only jni.h to compile: no libjvm is linked.
#
#   aldm2_add_javacpp_glue(<target>
#       CLASS       <fully qualified binding class>
#       CLASSES_DIR <directory holding the compiled binding classes>
#       JAVACPP_JAR <path to javacpp-<version>.jar>
#       [JAVA_HOME  <JDK home, for jni.h and java>])
#
# Regeneration runs whenever a binding .class file or the jar is newer than the last run; the
# .cpp files are replaced only when their content changes, so an unchanged binding is not
# recompiled.

function(_aldm2_find_jni_headers java_home)
  set(hints "")
  if(java_home)
    list(APPEND hints "${java_home}/include")
  endif()
  if(DEFINED ENV{JAVA_HOME})
    list(APPEND hints "$ENV{JAVA_HOME}/include")
  endif()
  if(Java_JAVA_EXECUTABLE)
    get_filename_component(java_real "${Java_JAVA_EXECUTABLE}" REALPATH)
    get_filename_component(java_bin "${java_real}" DIRECTORY)
    list(APPEND hints "${java_bin}/../include")
  endif()
  find_path(ALDM2_JNI_INCLUDE_DIR jni.h HINTS ${hints} PATHS /usr/lib/jvm/default-java/include
            DOC "Directory containing jni.h")
  if(NOT ALDM2_JNI_INCLUDE_DIR)
    message(FATAL_ERROR "aldm2: jni.h not found; pass -DALDM2_JAVA_HOME=<JDK home> (a JDK, not a JRE)")
  endif()
  find_path(ALDM2_JNI_MD_INCLUDE_DIR jni_md.h
            HINTS "${ALDM2_JNI_INCLUDE_DIR}/linux" "${ALDM2_JNI_INCLUDE_DIR}/darwin" "${ALDM2_JNI_INCLUDE_DIR}/win32"
                  "${ALDM2_JNI_INCLUDE_DIR}"
            NO_DEFAULT_PATH DOC "Directory containing jni_md.h")
  if(NOT ALDM2_JNI_MD_INCLUDE_DIR)
    message(FATAL_ERROR "aldm2: jni_md.h not found next to ${ALDM2_JNI_INCLUDE_DIR}/jni.h")
  endif()
endfunction()

function(aldm2_add_javacpp_glue target)
  cmake_parse_arguments(ARG "" "CLASS;CLASSES_DIR;JAVACPP_JAR;JAVA_HOME" "" ${ARGN})
  foreach(required CLASS CLASSES_DIR JAVACPP_JAR)
    if(NOT ARG_${required})
      message(FATAL_ERROR "aldm2_add_javacpp_glue: ${required} is required")
    endif()
  endforeach()
  if(NOT EXISTS "${ARG_JAVACPP_JAR}")
    message(FATAL_ERROR "aldm2: JavaCPP jar not found at '${ARG_JAVACPP_JAR}' (ALDM2_JAVACPP_JAR); it is "
                        "org.bytedeco:javacpp in the local Maven repository after 'mvn -pl java compile'")
  endif()
  string(REPLACE "." "/" class_path "${ARG_CLASS}")
  set(main_class_file "${ARG_CLASSES_DIR}/${class_path}.class")
  if(NOT EXISTS "${main_class_file}")
    message(FATAL_ERROR "aldm2: compiled binding class not found at '${main_class_file}' (ALDM2_JAVA_CLASSES); "
                        "run 'mvn -pl java compile' first")
  endif()

  if(ARG_JAVA_HOME AND EXISTS "${ARG_JAVA_HOME}/bin/java")
    set(Java_JAVA_EXECUTABLE "${ARG_JAVA_HOME}/bin/java")
  else()
    find_package(Java 11 COMPONENTS Runtime REQUIRED)
  endif()
  _aldm2_find_jni_headers("${ARG_JAVA_HOME}")

  # the binding class and its nested classes (Aldm2$ModuleHandle.class, ...)
  get_filename_component(class_dir "${main_class_file}" DIRECTORY)
  get_filename_component(class_name "${main_class_file}" NAME_WE)
  file(GLOB class_files "${class_dir}/${class_name}.class" "${class_dir}/${class_name}$*.class")

  set(gen_dir "${CMAKE_CURRENT_BINARY_DIR}/javacpp")
  set(tmp_dir "${gen_dir}/tmp")
  set(glue "${gen_dir}/jnialdm2.cpp" "${gen_dir}/jnijavacpp.cpp")
  set(stamp "${gen_dir}/generate.stamp")
  if(CMAKE_HOST_WIN32)
    set(sep ";")
  else()
    set(sep ":")
  endif()
  add_custom_command(
    OUTPUT "${stamp}"
    BYPRODUCTS ${glue}
    COMMAND "${CMAKE_COMMAND}" -E rm -rf "${tmp_dir}"
    COMMAND "${Java_JAVA_EXECUTABLE}" -cp "${ARG_JAVACPP_JAR}${sep}${ARG_CLASSES_DIR}"
            org.bytedeco.javacpp.tools.Builder -cpp -o jnialdm2 -d "${tmp_dir}" "${ARG_CLASS}"
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${tmp_dir}/jnialdm2.cpp" "${tmp_dir}/jnijavacpp.cpp" "${gen_dir}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS ${class_files} "${ARG_JAVACPP_JAR}"
    COMMENT "JavaCPP: generating JNI glue for ${ARG_CLASS}"
    VERBATIM)
  add_custom_target(${target}_javacpp DEPENDS "${stamp}")
  add_dependencies(${target} ${target}_javacpp)
  set_source_files_properties(${glue} PROPERTIES GENERATED TRUE)
  target_sources(${target} PRIVATE ${glue})
  target_include_directories(${target} PRIVATE "${ALDM2_JNI_INCLUDE_DIR}" "${ALDM2_JNI_MD_INCLUDE_DIR}")
  # generated code: keep our warning flags off it
  set_source_files_properties(${glue} PROPERTIES COMPILE_OPTIONS "$<IF:$<CXX_COMPILER_ID:MSVC>,/w,-w>")
endfunction()
