/** Datasets: deterministic, resumable streams of training samples. */
@Version("2.1.0")
@Export
package mdm.api.data;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
