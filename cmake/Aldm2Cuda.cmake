# Target-GPU selection for the aldm2 shim.
#
#   ALDM2_CUDA        AUTO (default): use CUDA when the libtorch found has it; ON: require it;
#                     OFF: build the CPU code path only, whatever libtorch offers.
#   ALDM2_CUDA_ARCHS  compute capabilities to build for, CMake style: "90" (H100), "80;90",
#                     "89", "90a". Empty (default): leave libtorch's choice (it autodetects the GPU
#                     of the build machine, or falls back to a generic list when there is none).
#                     Giving it implies ALDM2_CUDA=ON unless ALDM2_CUDA is OFF.
#
# aldm2_cuda_before_torch() must run before find_package(Torch): it turns ALDM2_CUDA_ARCHS into
# TORCH_CUDA_ARCH_LIST ("9.0", the form libtorch's CMake config reads) and
# CMAKE_CUDA_ARCHITECTURES. The shim itself has no CUDA kernels; the list matters for libtorch's
# CMake (which otherwise probes the local GPU) and is recorded in aldm2_build_info().
#
# aldm2_cuda_after_torch(<out_var>) sets <out_var> to 1 if the CUDA code path is compiled, else 0,
# and stops with an explanation when CUDA was requested but libtorch has none.

set(ALDM2_CUDA "AUTO" CACHE STRING "Compile the CUDA code path: AUTO, ON or OFF")
set_property(CACHE ALDM2_CUDA PROPERTY STRINGS AUTO ON OFF)
set(ALDM2_CUDA_ARCHS "" CACHE STRING "CUDA compute capabilities, e.g. 90 or 80;90 (empty: libtorch's default)")

# "90" -> "9.0", "120" -> "12.0", "90a" -> "9.0a", "8.6" stays.
function(_aldm2_torch_arch out arch)
  if(arch MATCHES "^([0-9]+)\\.([0-9])([a-z]?)$")
    set(${out} "${arch}" PARENT_SCOPE)
  elseif(arch MATCHES "^([0-9]+)([0-9])([a-z]?)$")
    set(${out} "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}${CMAKE_MATCH_3}" PARENT_SCOPE)
  else()
    message(FATAL_ERROR "ALDM2_CUDA_ARCHS entries must look like 90, 80, 89, 90a or 9.0, got '${arch}'")
  endif()
endfunction()

macro(aldm2_cuda_before_torch)
  if(NOT ALDM2_CUDA MATCHES "^(AUTO|ON|OFF)$")
    message(FATAL_ERROR "ALDM2_CUDA must be AUTO, ON or OFF, got '${ALDM2_CUDA}'")
  endif()
  set(ALDM2_CUDA_ARCHS_INFO "none")
  if(ALDM2_CUDA_ARCHS AND NOT ALDM2_CUDA STREQUAL "OFF")
    set(_aldm2_torch_archs "")
    set(_aldm2_cmake_archs "")
    foreach(_aldm2_arch IN LISTS ALDM2_CUDA_ARCHS)
      _aldm2_torch_arch(_aldm2_t "${_aldm2_arch}")
      list(APPEND _aldm2_torch_archs "${_aldm2_t}")
      string(REPLACE "." "" _aldm2_c "${_aldm2_t}")
      list(APPEND _aldm2_cmake_archs "${_aldm2_c}")
    endforeach()
    # libtorch's CMake config reads the variable (and, deprecated, the environment variable)
    set(TORCH_CUDA_ARCH_LIST "${_aldm2_torch_archs}")
    set(CMAKE_CUDA_ARCHITECTURES "${_aldm2_cmake_archs}")
    string(REPLACE ";" " " ALDM2_CUDA_ARCHS_INFO "sm_${_aldm2_cmake_archs}")
    string(REPLACE " " " sm_" ALDM2_CUDA_ARCHS_INFO "${ALDM2_CUDA_ARCHS_INFO}")
    message(STATUS "aldm2: CUDA target architectures ${ALDM2_CUDA_ARCHS_INFO} (TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST})")
  endif()
endmacro()

function(aldm2_cuda_after_torch out_var)
  set(torch_has_cuda OFF)
  if(TARGET torch_cuda OR TARGET c10_cuda OR TORCH_CUDA_LIBRARIES OR CAFFE2_USE_CUDA)
    set(torch_has_cuda ON)
  endif()
  set(wanted "${ALDM2_CUDA}")
  if(wanted STREQUAL "AUTO" AND ALDM2_CUDA_ARCHS)
    set(wanted ON)
  endif()
  if(wanted STREQUAL "ON" AND NOT torch_has_cuda)
    message(FATAL_ERROR
      "aldm2: CUDA was requested (ALDM2_CUDA=${ALDM2_CUDA}, ALDM2_CUDA_ARCHS='${ALDM2_CUDA_ARCHS}') but the libtorch "
      "found at ${TORCH_INSTALL_PREFIX} has no CUDA support. Point CMAKE_PREFIX_PATH at a CUDA build of libtorch "
      "(pytorch.org: LibTorch, C++/Java, a CUDA compute platform; unzip and pass <dir>/libtorch), or configure with "
      "-DALDM2_CUDA=OFF -DALDM2_CUDA_ARCHS= for a CPU build.")
  endif()
  if(torch_has_cuda AND NOT wanted STREQUAL "OFF")
    set(${out_var} 1 PARENT_SCOPE)
    message(STATUS "aldm2: CUDA code path ON (CUDA graphs available)")
  else()
    set(${out_var} 0 PARENT_SCOPE)
    if(torch_has_cuda)
      message(STATUS "aldm2: CUDA code path OFF (ALDM2_CUDA=OFF; libtorch has CUDA)")
    else()
      message(STATUS "aldm2: CUDA code path OFF (libtorch at ${TORCH_INSTALL_PREFIX} is CPU-only)")
    endif()
  endif()
endfunction()
