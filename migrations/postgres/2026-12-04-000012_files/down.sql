DROP TABLE file_categories;
DROP TABLE file_disk;
DROP TABLE file_attachments;
DROP TABLE uploaded_files;
