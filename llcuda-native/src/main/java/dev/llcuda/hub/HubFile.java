package dev.llcuda.hub;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A GGUF file of a hub repository ({@code owner/repo}) at a revision (branch, tag or
 * commit). The names are checked here so that neither the URL nor the local file name can
 * be steered elsewhere.
 */
public record HubFile(String repository, String file, String revision) {

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

	public HubFile {
		String[] parts = repository.split("/", -1);
		if (parts.length != 2 || !isName(parts[0]) || !isName(parts[1])) {
			throw new IllegalArgumentException("repository '" + repository + "' is not of the form owner/repo "
					+ "(letters, digits, '.', '_', '-')");
		}
		if (!file.endsWith(".gguf") || Stream.of(file.split("/", -1)).anyMatch(segment -> !isName(segment))) {
			throw new IllegalArgumentException("file '" + file + "' is not a GGUF file path of the repository "
					+ "(segments of letters, digits, '.', '_', '-', ending in .gguf; no '..', no leading '/')");
		}
		if (revision.isEmpty() || revision.contains("..") || revision.startsWith("/")) {
			throw new IllegalArgumentException("revision '" + revision + "' is not a branch, tag or commit");
		}
	}

	private static boolean isName(String segment) {
		return NAME.matcher(segment).matches() && !segment.contains("..");
	}

	/** The name the file gets in a model folder: its last path segment. */
	public String localName() {
		return this.file.substring(this.file.lastIndexOf('/') + 1);
	}

	/** {@code {base}/{owner}/{repo}/resolve/{revision}/{file}}, each part URL-encoded. */
	public URI url(URI base) {
		String root = base.toString().replaceAll("/+$", "");
		String path = Stream.of(this.file.split("/")).map(HubFile::encode).collect(Collectors.joining("/"));
		return URI.create(root + "/" + this.repository + "/resolve/" + encode(this.revision) + "/" + path);
	}

	private static String encode(String segment) {
		return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
	}

	@Override
	public String toString() {
		return this.repository + "/" + this.file + "@" + this.revision;
	}
}
