/**
 * State-dict files: reading {@code .npz}, safetensors and PyTorch zip ({@code .pt}/{@code .pth}/{@code .bin},
 * restricted to tensors like PyTorch's {@code weights_only} mode, plus the ml-mdm checkpoint layout), writing
 * safetensors, and strict loading of a state dict into a model's parameters.
 *
 * <p>Entry points: {@link mdm.core.io.StateDictFiles} (read any format), {@link mdm.core.io.Safetensors}
 * (write), {@link mdm.core.io.StateDicts} (strict load, key mapping).
 */
@Version("1.3.0")
@Export
package mdm.core.io;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
