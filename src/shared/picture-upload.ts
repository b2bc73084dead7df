import { z } from 'zod';
import { ImagePreprocessingSchema } from './sidecar';

/*
 * The page's compact upload of a picture to /api/predict. Instead of the image tensor as JSON numbers (5.9 MB for a
 * 3x320x320 float model), the page sends the resized picture's 8-bit RGB pixels (307 kB) after the JSON, framed as
 * Triton's binary tensor data (Inference-Header-Content-Length), and says how to turn them into the tensor: the
 * preprocessing it applied itself for "what the model sees" (the sidecar's, or the one read off the signature). The
 * worker runs shared/image-tensor.ts on the bytes, so the model gets the very tensor the page would have sent.
 *
 *   "inputs": {"image": {"picture": {"width": 320, "height": 320, "channels": "RGB", "layout": "NCHW",
 *                                    "scale": 0.00392156862745098, "mean": [...], "std": [...], "invert": false},
 *                        "shape": [1, 3, 320, 320], "parameters": {"binary_data_size": 307200}}}
 *
 * `shape` is the tensor's; when it holds more than one picture's values (a model with a fixed batch of 2), the picture
 * is repeated to fill it, as the page does with one example.
 */

/** The preprocessing fields that take pixels to a tensor (the resizing happened before, on the page). */
export const PicturePreprocessingSchema = ImagePreprocessingSchema.pick({
  width: true, height: true, channels: true, layout: true, scale: true, mean: true, std: true, invert: true,
});

export const PictureInputSchema = z.strictObject({
  picture: PicturePreprocessingSchema,
  shape: z.array(z.int().min(0)).max(32),
  parameters: z.strictObject({ binary_data_size: z.int().min(0) }),
});

export type PictureInput = z.input<typeof PictureInputSchema>;

/** An input of /api/predict given as a picture (an object with `picture`) rather than as data. */
export const isPictureInput = (value: unknown): value is { picture: unknown } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'picture' in value;

/** The uploaded pixels: 8-bit RGB, row-major, 3 bytes a pixel. */
export const PICTURE_FORMAT = 'RGB';

/**
 * Outputs larger than this many elements come back as bytes when the request asks (`"parameters":
 * {"binary_data_output": true}`): a mask or a map, not ten class scores, which stay readable JSON.
 */
export const BINARY_OUTPUT_MIN_ELEMENTS = 1024;

/**
 * The datatypes an /api/predict answer sends as bytes (little-endian, row-major): those whose values a typed array
 * gives back exactly as the JSON would have them. BOOL, FP16 and BYTES outputs stay JSON.
 */
export const BINARY_OUTPUT_DATATYPES = ['FP32', 'FP64', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64'] as const;
