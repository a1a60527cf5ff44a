// The EXIF text reader lives in shared/ (the page's drop-to-reuse reads JPEG and WebP files with it too).
export { readExifText, type ExifText } from '@orchestrator/shared';
