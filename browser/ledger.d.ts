export declare const ledger: {
  /** Whether container `name` has been saved in this browser and not deleted since. */
  has(name: string): Promise<boolean>;
  /** Notes that container `name` is saved (once its database holds it). */
  add(name: string): Promise<void>;
  /** Forgets container `name` (deleted, or renamed away). */
  remove(name: string): Promise<void>;
};
