/**
 * Judging generated samples: evaluators that check samples against their conditions, feature
 * networks, the feature-space metrics (FD, KID, precision/recall, density/coverage, accuracy)
 * computed on their features, and the services that measure a checkpoint or a data set with them.
 */
@Version("2.0.0")
@Export
package mdm.api.eval;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
