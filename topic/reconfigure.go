package topic

import "errors"

// reconfigure applies the topic's configuration to every open partition
// (see partition.Partition.Reconfigure), several at once since turning a
// partition durable syncs it, and returns their errors. The caller holds
// the administrative token, so no partition is added meanwhile.
func (t *Topic) reconfigure() error {
	parts := *t.parts.Load()
	errs := inParallel(len(parts), func(i int) error {
		return parts[i].Reconfigure(t.reg.partitionOptions(t, i))
	})
	return errors.Join(errs...)
}
