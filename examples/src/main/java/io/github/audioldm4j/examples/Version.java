package io.github.audioldm4j.examples;

import picocli.CommandLine;

/** {@code audioldm4j --version}: the library version from the jar manifest, Java and the OS. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"audioldm4j " + (v == null ? "(development build)" : v),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
    }
}
