/** What a review comment is about: an object of the project, or the project itself. */
export interface ReviewObjectRef {
  readonly kind: 'project' | 'account' | 'domain' | 'subscription' | 'template' | 'server';
  readonly id: string;
  readonly serverId?: string;
}

export interface ReviewComment {
  readonly id: string;
  readonly about: ReviewObjectRef;
  readonly author: string;
  readonly time: string;
  readonly text: string;
}

/** A bundle as the renderer moves it: the file's name and its bytes in base64 (no paths cross). */
export interface BundleFile {
  readonly fileName: string;
  readonly base64: string;
}
