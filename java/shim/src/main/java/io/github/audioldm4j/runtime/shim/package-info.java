/**
 * The {@code shim} model runtime: the aldm2 C ABI ({@code native/include/aldm2.h}) over a libtorch
 * of the user's choice, bound with JavaCPP.
 *
 * <p>Use: build the library ({@code mvn -pl java/shim -am process-classes} with cmake and libtorch installed,
 * or CMake directly, see {@code native/README.md}), then run with {@code -Daudioldm4j.runtime=shim}
 * and {@code -Daudioldm4j.shim.path=<libaldm2.so or its directory>}. {@link
 * io.github.audioldm4j.runtime.shim.ShimRuntime} is the entry point; the JavaCPP peers stay
 * package-private. The shim and the presets runtime bring different libtorch builds and must not be
 * used in the same JVM.
 */
package io.github.audioldm4j.runtime.shim;
