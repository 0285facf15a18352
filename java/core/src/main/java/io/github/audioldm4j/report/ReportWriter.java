package io.github.audioldm4j.report;

import io.github.audioldm4j.io.WavWriter;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a {@link ComparisonReport} as a folder: JSON, HTML and the WAV files the page plays. */
public final class ReportWriter {
    private ReportWriter() {}

    /**
     * Writes {@code report.json}, {@code report.html} and the WAV files ({@code audio/00_reference.wav} and one per
     * stage that ran, 16-bit PCM) into {@code directory}, creating it. Existing files of the same names are replaced.
     *
     * @param report the report
     * @param directory the report directory
     * @return the path of {@code report.html}
     * @throws IOException when writing fails
     */
    public static Path write(ComparisonReport report, Path directory) throws IOException {
        Check.notNull("report", report);
        Check.notNull("directory", directory);
        Files.createDirectories(directory);
        Path audio = directory.resolve(ComparisonReport.AUDIO_DIR);
        WavWriter.write(audio.resolve(ComparisonReport.referenceAudioFileName()), report.referenceView(),
                report.sampleRate(), WavWriter.Format.PCM_16);
        for (ComparisonReport.Stage s : report.stages()) {
            if (s.ran()) {
                WavWriter.write(audio.resolve(s.audioFileName()), s.waveform(), report.sampleRate(),
                        WavWriter.Format.PCM_16);
            }
        }
        Files.writeString(directory.resolve(ComparisonReport.JSON_FILE), ReportJson.toJson(report), StandardCharsets.UTF_8);
        Path html = directory.resolve(ComparisonReport.HTML_FILE);
        Files.writeString(html, ReportHtml.toHtml(report), StandardCharsets.UTF_8);
        return html;
    }
}
