package io.github.audioldm4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start compiles as written: its imports and statements, against the library jars. */
class ReadmeQuickStartTest {

    @Test
    void quickStartCompiles(@TempDir Path tmp) throws Exception {
        Path readme = Paths.get("..", "README.md");
        String text = Files.readString(readme);
        int start = text.indexOf("```java\n");
        assertTrue(start >= 0, "README has a java block");
        int end = text.indexOf("```", start + 8);
        String block = text.substring(start + 8, end);
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : block.split("\n")) {
            if (line.startsWith("import ")) {
                imports.add(line);
            } else {
                body.append("        ").append(line).append('\n');
            }
        }
        assertTrue(imports.size() >= 5, "the quick start lists its imports");
        String src = String.join("\n", imports) + "\n\npublic class QuickStart {\n    public static void run() throws "
                + "Exception {\n" + body + "    }\n}\n";
        Path file = tmp.resolve("QuickStart.java");
        Files.writeString(file, src);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter out = new StringWriter();
        boolean ok = javac.getTask(out, null, null, List.of("-d", tmp.toString(), "-classpath",
                System.getProperty("java.class.path"), "-proc:none"), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(file)).call();
        assertTrue(ok, "the README quick start does not compile:\n" + out + "\n--- source ---\n" + src);
    }
}
