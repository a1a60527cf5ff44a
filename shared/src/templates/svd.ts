import { placeholder as P, defineTemplate, kSampler } from './types.js';

/**
 * Stable Video Diffusion image-to-video (protocol §3.5): the input image (uploaded to the backend,
 * bound by name to LoadImage) conditions an img2vid checkpoint; frames are saved as an animated WebP.
 */
export const SVD_TEMPLATE = defineTemplate({
  id: 'svd-img2vid',
  family: 'svd',
  kind: 'video',
  title: 'Stable Video Diffusion',
  graph: {
    '15': { class_type: 'ImageOnlyCheckpointLoader', inputs: { ckpt_name: P('model') } },
    '23': { class_type: 'LoadImage', inputs: { image: P('image') } },
    '12': {
      class_type: 'SVD_img2vid_Conditioning',
      inputs: {
        clip_vision: ['15', 1],
        init_image: ['23', 0],
        vae: ['15', 2],
        width: P('width'),
        height: P('height'),
        video_frames: P('frames'),
        motion_bucket_id: P('motionBucketId'),
        fps: P('fps'),
        augmentation_level: P('augmentationLevel'),
      },
    },
    '14': { class_type: 'VideoLinearCFGGuidance', inputs: { model: ['15', 0], min_cfg: P('minCfg') } },
    '3': kSampler({ model: ['14', 0], positive: ['12', 0], negative: ['12', 1], latent: ['12', 2] }),
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['15', 2] } },
    '10': {
      class_type: 'SaveAnimatedWEBP',
      inputs: { images: ['8', 0], filename_prefix: P('filenamePrefix'), fps: P('outputFps'), lossless: false, quality: P('quality'), method: 'default' },
    },
  },
  defaults: {
    width: 1024,
    height: 576,
    frames: 14,
    fps: 6,
    motionBucketId: 127,
    augmentationLevel: 0,
    minCfg: 1,
    steps: 20,
    cfg: 2.5,
    sampler: 'euler',
    scheduler: 'karras',
    denoise: 1,
    quality: 85,
    filenamePrefix: 'ComfyUI',
  },
  form: [
    { name: 'model', label: 'Video model', type: 'model' },
    { name: 'inputImage', label: 'Input image', type: 'image' },
    { name: 'frames', label: 'Frames', type: 'int', min: 1, max: 4096 },
    { name: 'fps', label: 'FPS', type: 'int', min: 1, max: 1024 },
    { name: 'motionBucketId', label: 'Motion bucket id', type: 'int', min: 1, max: 1023 },
    { name: 'augmentationLevel', label: 'Augmentation level', type: 'float', min: 0, max: 10, step: 0.01 },
    { name: 'width', label: 'Width', type: 'int', min: 64, max: 4096, step: 8 },
    { name: 'height', label: 'Height', type: 'int', min: 64, max: 4096, step: 8 },
    { name: 'steps', label: 'Steps', type: 'int', min: 1, max: 200 },
    { name: 'cfg', label: 'CFG', type: 'float', min: 0, max: 100, step: 0.1 },
    { name: 'seed', label: 'Seed', type: 'int', min: 0, max: Number.MAX_SAFE_INTEGER },
  ],
  outputNode: '10',
});
