/**
 * The sample-quality metrics in double precision on feature vectors: Fréchet distance, kernel
 * distance (KID), precision/recall and density/coverage from k-nearest-neighbour balls, and
 * classifier accuracy. Pairwise products run as float64 matrix products on the tensor engine; the
 * eigen work of the matrix square root uses EJML.
 */
@Version("1.0.0")
@Export
package mdm.eval.metrics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
