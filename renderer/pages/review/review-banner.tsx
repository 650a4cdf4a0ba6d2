import { Alert } from '@mantine/core';
import type { ReviewInfo } from '../../../shared/model/project';
import { formatTime } from '../../format';

/** Shown above every page of a review copy: what it is, and that nothing in it can be changed. */
export function ReviewBanner({ review }: { review: ReviewInfo }) {
  return (
    <Alert color="yellow" title="Review copy: read-only" data-testid="review-banner" mb="md">
      Opened from {review.bundleName}, exported from "{review.exportedFrom}" by {review.exportedBy} on{' '}
      {formatTime(review.exportedAt)}. Nothing here can be changed and no source server or target is reachable
      from it: leave comments and export it back to the engineer.
    </Alert>
  );
}
