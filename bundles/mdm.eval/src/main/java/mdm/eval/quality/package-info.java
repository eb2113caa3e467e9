/**
 * Measuring images against real data: the service behind mdm:eval and evaluation during training,
 * the cache of real-data features, eval.json and features.npz.
 */
@Version("1.0.0")
@Export
package mdm.eval.quality;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
