/**
 * Feature networks: small CNN classifiers whose penultimate layer is the feature space of the
 * metrics, the spec they are trained from, the heads (class labels or caption words) they predict,
 * and the trainer that makes one from a spec.
 */
@Version("1.1.0")
@Export
package mdm.eval.featurenet;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
