/** A convolutional autoencoder with a KL-regularised latent: latent diffusion's first stage. */
@Version("1.0.0")
@Export
package mdm.autoencoder;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
