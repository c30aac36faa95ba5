/**
 * Model downloads from a Hugging Face–compatible hub: {@link dev.llcuda.hub.HubFile}
 * names a file of a repository, {@link dev.llcuda.hub.HubDownloader} downloads it
 * resumably and checks it against the SHA-256 the hub publishes, reporting
 * {@link dev.llcuda.hub.DownloadProgress}.
 */
@NullMarked
package dev.llcuda.hub;

import org.jspecify.annotations.NullMarked;
