import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError, badRequest } from '../errors.ts';

/**
 * The image library (libvips) and the EXIF reader are loaded with the first photo, not at start:
 * libvips alone holds tens of megabytes that a server taking no photos should not carry.
 */
const loadSharp = async () => (await import('sharp')).default;

/** Longest side of a stored photo, in pixels (the device resizes first; this is the server's cap). */
export const MAX_SIDE = 1600;

/** Image formats taken in; anything else is 415. Stored photos are always JPEG. */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'heif']);

/** The text fields of a photo upload (multipart), besides the `photo` file. */
export const PhotoFieldsSchema = z.object({
  kind: z.enum(['before', 'after']),
  /** When the photo was taken (ISO 8601); unset: the image's EXIF time, else now. */
  taken_at: z.iso.datetime({ offset: true }).optional(),
  /** Where the device stood, WGS 84; both or neither. */
  lng: z.coerce.number().min(-180).max(180).optional(),
  lat: z.coerce.number().min(-90).max(90).optional(),
  accuracy: z.coerce.number().min(0).max(100_000).optional(),
});
export type PhotoFields = z.infer<typeof PhotoFieldsSchema>;

export interface ProcessedPhoto {
  bytes: Buffer;
  width: number;
  height: number;
  /** What the image's EXIF said, read before it was stripped (the form's fields win). */
  exifTakenAt: Date | null;
  exifPosition: [number, number] | null;
}

interface ExifFacts {
  DateTimeOriginal?: Date;
  CreateDate?: Date;
  latitude?: number;
  longitude?: number;
}

/** The time and position an image's EXIF holds, if any (a broken EXIF block is ignored). */
async function readExif(input: Buffer): Promise<{ takenAt: Date | null; position: [number, number] | null }> {
  const { default: exifr } = await import('exifr');
  const exif = (await exifr
    .parse(input, {
      gps: true,
      pick: ['DateTimeOriginal', 'CreateDate', 'GPSLatitude', 'GPSLongitude', 'GPSLatitudeRef', 'GPSLongitudeRef'],
    })
    .catch(() => null)) as ExifFacts | null;
  const t = exif?.DateTimeOriginal ?? exif?.CreateDate;
  const takenAt = t instanceof Date && !Number.isNaN(t.getTime()) ? t : null;
  const ok =
    typeof exif?.latitude === 'number' &&
    typeof exif?.longitude === 'number' &&
    Number.isFinite(exif.latitude) &&
    Number.isFinite(exif.longitude);
  return { takenAt, position: ok ? [exif!.longitude!, exif!.latitude!] : null };
}

/**
 * Checks an upload is an image (415 otherwise), reads its EXIF time and position, and
 * re-encodes it as a JPEG of at most MAX_SIDE pixels with no metadata at all (no EXIF, XMP,
 * ICC or maker notes: sharp writes none unless asked), turned upright first.
 */
export async function processPhoto(input: Buffer): Promise<ProcessedPhoto> {
  let format: string | undefined;
  try {
    format = (await (await loadSharp())(input).metadata()).format;
  } catch {
    format = undefined;
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) {
    throw new AppError(415, 'unsupported_media_type', 'The photo must be a JPEG, PNG, WebP or HEIF image.', [
      { path: 'photo', message: 'not an accepted image' },
    ]);
  }
  const exif = await readExif(input);
  const sharp = await loadSharp();
  const { data, info } = await sharp(input, { failOn: 'error' })
    .rotate()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 82, mozjpeg: true })
    .toBuffer({ resolveWithObject: true })
    .catch(() => {
      throw new AppError(415, 'unsupported_media_type', 'The photo could not be read as an image.', [
        { path: 'photo', message: 'unreadable image' },
      ]);
    });
  return { bytes: data, width: info.width, height: info.height, exifTakenAt: exif.takenAt, exifPosition: exif.position };
}

/** The position of an upload: the form's (both coordinates or neither), else the EXIF's. */
export function positionOf(f: PhotoFields, exif: [number, number] | null): [number, number] | null {
  if ((f.lng === undefined) !== (f.lat === undefined)) {
    throw badRequest('Give both lng and lat, or neither.', [
      { path: f.lng === undefined ? 'lng' : 'lat', message: 'required with the other coordinate' },
    ]);
  }
  return f.lng !== undefined ? [f.lng, f.lat!] : exif;
}

/** A new storage key for a photo of this appeal. */
export const newPhotoKey = (incidentId: number) => `${incidentId}/${randomBytes(16).toString('hex')}.jpg`;
