package mdm.api.train;

import mdm.api.Options;
import java.nio.file.Path;

/**
 * An ml-mdm model to turn into a checkpoint.
 *
 * @param yaml        the ml-mdm YAML (its unet_config and diffusion_config are used)
 * @param weights     the weights: an ml-mdm .pth checkpoint, a state-dict .pt/.pth, .npz or .safetensors
 * @param checkpoint  the checkpoint folder to create (must not exist)
 * @param backbone    backbone name, or null: nested_unet when the config nests, else unet
 * @param conditioner conditioner name and options (default: t5)
 * @param imageSize   side of the generated images, or null for the YAML's reader_config.image_size
 */
public record ImportRequest(Path yaml, Path weights, Path checkpoint, String backbone, ComponentRef conditioner,
                            Integer imageSize, Options extra) {
}
