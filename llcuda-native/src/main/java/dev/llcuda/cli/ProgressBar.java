package dev.llcuda.cli;

import java.io.PrintStream;
import java.util.Locale;

import dev.llcuda.hub.DownloadProgress;

/** A one-line progress bar redrawn in place: percent, bytes, rate and time left. */
final class ProgressBar {

	private static final int WIDTH = 30;

	private final PrintStream err;

	ProgressBar(PrintStream err) {
		this.err = err;
	}

	void show(DownloadProgress progress) {
		this.err.print("\r" + line(progress));
		this.err.flush();
	}

	void finish() {
		this.err.println();
	}

	static String line(DownloadProgress progress) {
		String bar;
		String percent;
		if (progress.totalBytes() > 0) {
			int filled = (int) Math.min(WIDTH, progress.bytes() * WIDTH / progress.totalBytes());
			bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
			percent = String.format(Locale.ROOT, "%5.1f%%", progress.percent());
		}
		else {
			bar = "?".repeat(WIDTH);
			percent = "    ?%";
		}
		String total = progress.totalBytes() >= 0 ? bytes(progress.totalBytes()) : "?";
		String eta = progress.eta() == null ? "--:--"
				: String.format(Locale.ROOT, "%d:%02d", progress.eta().toMinutes(), progress.eta().toSecondsPart());
		return String.format(Locale.ROOT, "[%s] %s  %s / %s  %s/s  ETA %s", bar, percent, bytes(progress.bytes()),
				total, bytes((long) progress.bytesPerSecond()), eta);
	}

	static String bytes(long bytes) {
		String[] units = { "B", "KiB", "MiB", "GiB", "TiB" };
		double value = bytes;
		int unit = 0;
		while (value >= 1024 && unit < units.length - 1) {
			value /= 1024;
			unit++;
		}
		return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
	}

}
